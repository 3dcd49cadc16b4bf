"""The app's temporary files, and the sweep that removes the ones left behind.

Two places hold them: `TEMP_DIR` (default `instance/tmp`), where exports are written before they
are streamed (and where XlsxWriter keeps its scratch files), and `UPLOAD_DIR/imports`, where an
uploaded ledger sheet waits between the import's preview and its confirmation. Requests remove
their own files; a worker killed mid-request, or an import never confirmed, leaves them, and the
sweep (on each new import and by `flask sweep`) removes whatever is older than TEMP_MAX_AGE_HOURS.
"""

from __future__ import annotations

import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, session
from werkzeug.datastructures import FileStorage

#: The folder inside UPLOAD_DIR holding sheets that await an import's confirmation.
IMPORTS = "imports"


def temp_dir() -> Path:
    """The folder for the app's own temporary files (created if missing)."""
    path = Path(current_app.config.get("TEMP_DIR") or Path(current_app.instance_path) / "tmp")
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_dir() -> Path:
    """The folder of uploaded sheets awaiting confirmation (created if missing)."""
    path = Path(current_app.config["UPLOAD_DIR"]) / IMPORTS
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_for_confirmation(key: str, upload: FileStorage) -> tuple[str, Path]:
    """Save an uploaded sheet until its import is confirmed: the session remembers it under `key`
    (an earlier sheet of the same session and import goes, and so do stale ones). Returns the
    token naming it and its path; the caller removes the file if it turns out not to be needed."""
    forget_kept(key)
    sweep_temp_files()
    token = secrets.token_hex(16)
    path = import_dir() / token
    upload.save(path)
    session[key] = {"token": token, "name": (upload.filename or "")[:200]}
    return token, path


def kept_for_confirmation(key: str, token: str | None) -> Path | None:
    """The sheet this session keeps under `key`, if `token` names it and it is still there."""
    kept = session.get(key) or {}
    if not token or kept.get("token") != token or not token.isalnum():
        return None
    path = import_dir() / token
    return path if path.exists() else None


def forget_kept(key: str) -> None:
    """Remove the sheet this session keeps under `key`, if any."""
    token = (session.pop(key, None) or {}).get("token")
    if token and token.isalnum():
        (import_dir() / token).unlink(missing_ok=True)


@dataclass
class Swept:
    files: int = 0
    bytes: int = 0


def sweep_temp_files(max_age_hours: float | None = None, now: float | None = None) -> Swept:
    """Remove temporary files and folders last changed more than `max_age_hours` ago (default
    TEMP_MAX_AGE_HOURS) from both places; returns how many files and bytes went."""
    hours = current_app.config["TEMP_MAX_AGE_HOURS"] if max_age_hours is None else max_age_hours
    cutoff = (time.time() if now is None else now) - hours * 3600
    swept = Swept()
    for folder in (temp_dir(), import_dir()):
        for entry in folder.iterdir():
            try:
                info = entry.lstat()
                if info.st_mtime >= cutoff:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    files = [p for p in entry.rglob("*") if p.is_file()]
                    size = sum(p.stat().st_size for p in files)
                    shutil.rmtree(entry)
                    swept.files, swept.bytes = swept.files + len(files), swept.bytes + size
                else:
                    entry.unlink()
                    swept.files, swept.bytes = swept.files + 1, swept.bytes + info.st_size
            except FileNotFoundError:  # another worker swept it first
                continue
    return swept
