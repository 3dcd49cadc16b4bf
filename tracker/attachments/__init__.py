"""Downloading stored files; access follows the record a file is attached to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

bp = Blueprint("attachments", __name__, url_prefix="/files")

#: The record kinds files attach to (their table names) → a loader `(record id, user)` that returns
#: the record when the user sees it and answers 404 otherwise. Features register theirs.
OWNER_LOADERS: dict[str, Callable[[int, Any], Any]] = {}


def register_owner(owner_type: str, loader: Callable[[int, Any], Any]) -> None:
    """Let files attached to `owner_type` records be downloaded by whoever `loader` lets see the record."""
    OWNER_LOADERS[owner_type] = loader


from . import views  # noqa: E402,F401
