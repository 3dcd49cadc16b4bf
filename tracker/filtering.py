"""Restricting a SELECT by what a page's filter holds: a value left empty restricts nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def where_given(stmt: sa.Select, *pairs: tuple[Any, Any]) -> sa.Select:
    """`stmt` restricted to the rows whose column equals the value, for each (column, value) pair
    whose value is given (neither None nor "")."""
    for column, value in pairs:
        if value is not None and value != "":
            stmt = stmt.where(column == value)
    return stmt
