"""How people are ordered wherever they are listed for a choice: naturally, member2 before member10."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

_NUMBERS = re.compile(r"(\d+)")

T = TypeVar("T")


def natural_key(text: str) -> tuple:
    """A sort key that orders the numbers inside `text` by value ("member2" < "member10")."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in _NUMBERS.split(text or "") if part)


def sort_people(people: Iterable[T]) -> list[T]:
    """Users (anything with a `username`) in natural order of their usernames."""
    return sorted(people, key=lambda person: natural_key(person.username))
