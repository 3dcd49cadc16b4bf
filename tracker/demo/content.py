"""The demo's words (rubric, projects, problems), read once from content.toml beside this module."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path


@cache
def content() -> dict:
    """The parsed content.toml: lists `rubric`, `project` and `problem`."""
    with Path(__file__).with_name("content.toml").open("rb") as file:
        return tomllib.load(file)
