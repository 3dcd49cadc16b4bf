"""Display names of unit kinds, roles and posts (translatable), and of units in tree order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

from ..models import Post, Role, UnitKind

KIND_LABELS = {
    UnitKind.committee: _l("Party committee"),
    UnitKind.work_committee: _l("Working committee"),
    UnitKind.organ_committee: _l("Organ party committee"),
    UnitKind.general_branch: _l("General branch"),
    UnitKind.branch: _l("Party branch"),
    UnitKind.group: _l("Party group"),
}

ROLE_LABELS = {
    Role.admin: _l("Administrator"),
    Role.leader: _l("Leader"),
    Role.secretary: _l("Secretary"),
    Role.member: _l("Member"),
}

POST_LABELS = {
    Post.secretary: _l("Secretary (书记)"),
    Post.deputy_secretary: _l("Deputy secretary"),
    Post.organization: _l("Organisation committee member"),
    Post.publicity: _l("Publicity committee member"),
    Post.discipline: _l("Discipline inspection member"),
}

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
