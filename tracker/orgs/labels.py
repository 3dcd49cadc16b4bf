"""How units are named: in tree order with indentation, and by the words of the command line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..models import UnitKind

#: How a top-level unit's kind is named on the command line: the Chinese word or the stored value.
TOP_KIND_WORDS = {
    "党委": UnitKind.committee,
    "工委": UnitKind.work_committee,
    "机关党委": UnitKind.organ_committee,
    **{kind.value: kind for kind in (UnitKind.committee, UnitKind.work_committee, UnitKind.organ_committee)},
}


def top_kind_from_name(name: str) -> UnitKind | None:
    """The kind a top-level unit's name states (…机关党委, …工委, …党委), or None when it does not say."""
    name = name.strip()
    for word in ("机关党委", "工委", "党委"):
        if name.endswith(word):
            return TOP_KIND_WORDS[word]
    return None


def indented(unit: Any) -> str:
    """A unit's name indented by its depth (an ideographic space per level), for lists in tree order.

    `unit` is an OrgUnit or any row with `name` and `path`.
    """
    return "　" * (unit.path.count("/") - 2) + unit.name


def indented_choices(units: Iterable[Any]) -> list[tuple[int, str]]:
    """(id, indented name) of `units`, in the order given: the choices of a unit select."""
    return [(unit.id, indented(unit)) for unit in units]
