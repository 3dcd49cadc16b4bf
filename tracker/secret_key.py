"""The secret key that signs sessions and CSRF tokens: the configured one, or one generated once.

Without `SECRET_KEY` the app never falls back to a constant: the first process to start writes a
random key to `instance/secret_key` (mode 0600) and every later process — each gunicorn worker,
each restart, the CLI — reads the same file. The file appears complete or not at all (written
aside, then hard-linked into place), so workers starting together agree on one key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

#: Shorter keys are warned about: 32 hex characters carry 128 bits.
MIN_LENGTH = 32
FILE_NAME = "secret_key"


def configure_secret_key(app: Flask) -> None:
    """Set `app.secret_key` from the configuration or the instance file; log what was done.

    Raises RuntimeError when the instance file exists but is damaged (too short to be ours).
    """
    configured = app.config.get("SECRET_KEY")
    if configured:
        if len(configured) < MIN_LENGTH:
            app.logger.warning(
                "SECRET_KEY is only %d characters long: use at least %d random characters, e.g. "
                "python3 -c 'import secrets; print(secrets.token_hex(32))'", len(configured), MIN_LENGTH)
        return
    path = Path(app.config.get("SECRET_KEY_FILE") or Path(app.instance_path) / FILE_NAME)
    if not path.exists() and _create(path):
        app.logger.warning("SECRET_KEY is not set: generated a random key into %s (kept for every worker and "
                           "restart; set SECRET_KEY to use your own).", path)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_LENGTH:
        raise RuntimeError(f"{path} does not hold a usable key: delete it to generate a new one "
                           "(everybody will have to log in again), or set SECRET_KEY.")
    app.config["SECRET_KEY"] = key


def _create(path: Path) -> bool:
    """Write a new random key to `path` unless another process got there first; True if ours won."""
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(aside, path)  # fails if the file exists: the first complete key wins
        except FileExistsError:
            return False
        return True
    finally:
        aside.unlink(missing_ok=True)
