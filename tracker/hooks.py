"""Where features meet without importing each other: each registers here, from its `register(app)`.

- Problem counters: the ledger counts the problems found on a record; a project's check-stage
  gate asks through `problem_counts`.
- Origins: a feature on whose records problems are found (projects) describes them through
  `describe_origin`, so the ledger's form says where a problem was found and prefills it.
- Attachment owners: who may download a file is whoever sees the record it is attached to.
- Home widgets, unit panels and person panels: templates included on the home page, on a unit's
  page and on a person's page.
- Work sources: each feature lists the open things waiting for a person ("my work" on the home
  page), as `WorkItem`s the home page sorts most urgent first.
- Record kinds: what each kind of record (a table name in the activity record) is called and
  which page shows one, so the audit view names and links records of every feature.

Registering is idempotent: the app factory may run many times in one process (the tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProblemCounts:
    open: int = 0  #: problems not yet closed (待整改, 整改中, 待验收, 退回)
    closed: int = 0  #: problems closed (已销号); voided ones count in neither

    def __add__(self, other: ProblemCounts) -> ProblemCounts:
        return ProblemCounts(self.open + other.open, self.closed + other.closed)


ProblemCounter = Callable[[str, int], ProblemCounts]
_counters: list[ProblemCounter] = []


def register_problem_counter(counter: ProblemCounter) -> None:
    """Register `counter(origin_type, origin_id)`; registering the same function twice is a no-op."""
    _add_once(_counters, counter)


def problem_counts(origin_type: str, origin_id: int) -> ProblemCounts:
    """How many problems found on one record (e.g. `("project", 42)`) are open and closed."""
    total = ProblemCounts()
    for counter in _counters:
        total = total + counter(origin_type, origin_id)
    return total


@dataclass(frozen=True)
class Origin:
    """A record a problem was found on, as the ledger's form shows and prefills it."""

    name: str  #: how it reads, in the user's language: 项目 XM-2026-0012“党员先锋岗创建”
    unit_id: int  #: the unit the problem belongs to
    category: str | None = None  #: 问题类别 to prefill
    batch: str | None = None  #: 检查批次 to prefill


OriginDescriber = Callable[[int, Any], "Origin | None"]
_describers: dict[str, OriginDescriber] = {}


def register_origin(origin_type: str, describe: OriginDescriber) -> None:
    """Register `describe(origin_id, user)` → Origin, or None when `user` does not see that record."""
    _describers[origin_type] = describe


def describe_origin(origin_type: str | None, origin_id: int | None, user: Any) -> Origin | None:
    """The record `(origin_type, origin_id)` as `user` may see it, or None (unknown, or not theirs to see)."""
    describe = _describers.get(origin_type or "")
    return describe(origin_id, user) if describe and origin_id else None


# --- Attachment owners ---------------------------------------------------------------------------

OwnerLoader = Callable[[int, Any], Any]
_owner_loaders: dict[str, OwnerLoader] = {}


def register_attachment_owner(owner_type: str, loader: OwnerLoader) -> None:
    """Files attached to `owner_type` records (a table name) go to whoever `loader(record id, user)`
    returns the record for; the loader answers 404 for anyone else."""
    _owner_loaders[owner_type] = loader


def attachment_owner_loader(owner_type: str) -> OwnerLoader | None:
    return _owner_loaders.get(owner_type)


# --- Home widgets and unit panels ----------------------------------------------------------------

def _add_once(registry: list, entry: Any) -> None:
    """Append `entry` unless it is there: registering runs again with every app the tests create."""
    if entry not in registry:
        registry.append(entry)


_home_widgets: list[str] = []
_unit_panels: list[str] = []
_person_panels: list[str] = []


def add_home_widget(template: str) -> None:
    """Include `template` on the home page, after those added before it."""
    _add_once(_home_widgets, template)


def add_unit_panel(template: str) -> None:
    """Include `template` on each unit's page (it receives `unit`)."""
    _add_once(_unit_panels, template)


def add_person_panel(template: str) -> None:
    """Include `template` on each person's page (it receives `user`, the person shown)."""
    _add_once(_person_panels, template)


def person_panels() -> list[str]:
    return list(_person_panels)


def home_widgets() -> list[str]:
    return list(_home_widgets)


def unit_panels() -> list[str]:
    return list(_unit_panels)


# --- My work: the open things waiting for a person -------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """One open thing waiting for a person, one click from acting on it."""

    kind: Any  #: what it is, translatable: 我负责的整改事项, 待我验收 …
    title: str  #: how the record reads (a code and a title)
    endpoint: str  #: the page where the person acts: "ledger.show"
    args: dict[str, Any]  #: that endpoint's arguments
    action: Any  #: what the person does there, translatable: 整改, 验收, 审批 …
    due: Any = None  #: the date it is due by (a `date`), None when it has none
    light: str = "none"  #: its due light (`deadlines.DueLight` value)
    detail: str = ""  #: where it sits (a unit's name) or what more it says
    anchor: str = ""  #: a fragment of the page (`#extensions`)


WorkSource = Callable[[Any, Any], list[WorkItem]]  # (user, today) -> items
_work_sources: list[WorkSource] = []


def work_sources() -> list[WorkSource]:
    """The sources of "my work", in the order the features registered them."""
    return list(_work_sources)


def add_work_source(source: WorkSource) -> None:
    """List `source(user, today)`'s items in each person's "my work"."""
    _add_once(_work_sources, source)


# --- Record kinds (the audit view names and links the records of every feature) ---------------------

RecordNames = Callable[[set[int]], dict[int, str]]


@dataclass(frozen=True)
class RecordKind:
    label: Any  #: what one is called, translatable: 整改事项
    endpoint: str  #: the page showing one: "ledger.show"
    id_arg: str  #: that endpoint's id argument: "item_id"
    names: RecordNames  #: ids → how each record reads (a code, a title), in one query


_record_kinds: dict[str, RecordKind] = {}


def register_record_kind(subject_type: str, label: Any, endpoint: str, id_arg: str, names: RecordNames) -> None:
    """Name the records of table `subject_type`, each one (`names`), and the page showing one."""
    _record_kinds[subject_type] = RecordKind(label, endpoint, id_arg, names)


def record_kinds() -> dict[str, RecordKind]:
    return dict(_record_kinds)
