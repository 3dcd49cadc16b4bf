"""The secret key: never a constant; generated once into the instance folder and shared by every worker."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask import Flask

from tracker.secret_key import _create, configure_secret_key

ROOT = Path(__file__).resolve().parent.parent


def bare_app(**config) -> Flask:
    app = Flask("keytest")
    app.config.update(config)
    return app


def test_without_secret_key_a_random_key_is_generated_once_and_kept(tmp_path, caplog, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key_file = tmp_path / "instance" / "secret_key"
    first = bare_app(SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    with caplog.at_level(logging.WARNING):
        configure_secret_key(first)
    assert "generated a random key" in caplog.text and str(key_file) in caplog.text
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.secret_key) == 64 and first.secret_key == key_file.read_text().strip()
    caplog.clear()
    restarted = bare_app(SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    configure_secret_key(restarted)
    assert restarted.secret_key == first.secret_key and "generated" not in caplog.text
    assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]  # nothing left aside


def test_the_default_configuration_holds_no_constant_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    shown = subprocess.run([sys.executable, "-c", "from tracker.config import Config; print(repr(Config.SECRET_KEY))"],
                           env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    assert shown.stdout.strip() == "None"


def test_workers_starting_together_agree_on_one_key(tmp_path):
    key_file = tmp_path / "secret_key"
    apps = [bare_app(SECRET_KEY=None, SECRET_KEY_FILE=str(key_file)) for _ in range(8)]
    start = threading.Barrier(len(apps))

    def boot(app: Flask) -> None:
        start.wait()
        configure_secret_key(app)

    threads = [threading.Thread(target=boot, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({app.secret_key for app in apps}) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_only_the_first_writer_wins(tmp_path):
    key_file = tmp_path / "secret_key"
    assert _create(key_file) is True
    kept = key_file.read_text()
    assert _create(key_file) is False and key_file.read_text() == kept


def test_a_short_secret_key_is_warned_about(caplog):
    app = bare_app(SECRET_KEY="changeme")
    with caplog.at_level(logging.WARNING):
        configure_secret_key(app)
    assert "SECRET_KEY is only 8 characters long" in caplog.text
    assert app.secret_key == "changeme"  # used as given, not replaced


def test_a_long_secret_key_is_used_quietly(caplog):
    app = bare_app(SECRET_KEY="x" * 64)
    with caplog.at_level(logging.WARNING):
        configure_secret_key(app)
    assert caplog.text == "" and app.secret_key == "x" * 64


def test_a_damaged_key_file_stops_the_start_with_a_clear_message(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("")
    with pytest.raises(RuntimeError, match="delete it to generate a new one"):
        configure_secret_key(bare_app(SECRET_KEY=None, SECRET_KEY_FILE=str(key_file)))
