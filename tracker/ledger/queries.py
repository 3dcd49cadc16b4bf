"""Reading the ledger: the filter of the URL, due lights, countdowns and escalation in SQL, roll-ups,
the choices of its forms, and what its steps look at."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..audit import timeline
from ..extensions import db
from ..filtering import where_given
from ..hooks import ProblemCounts, WorkItem
from ..models import (Activity, Attachment, ExtensionRequest, ExtensionStatus, ItemSource, LedgerItem, Membership,
                      OrgUnit, ProgressEntry, Role, Severity, UnitKind, User)
from ..orgs.labels import indented_choices
from ..pagination import Page
from ..people import sort_people
from ..scoping import covers_everything, get_visible_or_404, scoped, scoped_units, units_in_scope, visible
from ..uploads import attachments_of
from . import policy
from .workflow import (ESCALATION_DAYS, IMMEDIATE_DAYS, OPEN_STATES, WORKING_STATES, YELLOW_DAYS, Countdown, DueLight,
                       Escalation, ItemStatus, countdown_bounds, escalation, item_light)

#: Items are coded ZG-<year>-<sequence of the year>.
CODE_PREFIX = "ZG"


# --- Date arithmetic that reads the same on SQLite and PostgreSQL --------------------------------

def _two_argument_function(name: str, type_: sa.types.TypeEngine, postgresql: str, sqlite: str) -> Any:
    """A SQL function of two arguments, written `postgresql` or `sqlite` (templates naming them {a}
    and {b}) as the database needs, so one expression reads the same on both."""
    function = type(name, (FunctionElement,), {"type": type_, "inherit_cache": True, "name": name})

    def compiler_of(template: str) -> Any:
        def compile_(element: Any, compiler: Any, **kw: Any) -> str:
            a, b = (compiler.process(clause, **kw) for clause in element.clauses)
            return template.format(a=a, b=b)
        return compile_

    compiles(function)(compiler_of(postgresql))
    compiles(function, "sqlite")(compiler_of(sqlite))
    return function


#: days_between(end, start): whole days from `start` to `end` (a date minus a date); negative when `end` is earlier.
days_between = _two_argument_function("days_between", sa.Integer(), "(CAST({a} AS DATE) - CAST({b} AS DATE))",
                                      "CAST(julianday({a}) - julianday({b}) AS INTEGER)")

#: days_to_close(closed_at, created_at): days (fractional) from an item's creation to its 销号.
days_to_close = _two_argument_function("days_to_close", sa.Float(), "(EXTRACT(EPOCH FROM ({a} - {b})) / 86400.0)",
                                       "(julianday({a}) - julianday({b}))")


def _working():
    return LedgerItem.status.in_([s.value for s in WORKING_STATES])


def days_left_expr(today: date):
    """Days left until the deadline (negative: overdue); NULL without a running deadline."""
    return sa.case((sa.and_(_working(), LedgerItem.deadline.is_not(None)),
                    days_between(LedgerItem.deadline, sa.literal(today, sa.Date))), else_=None)


def light_expr(today: date):
    """The due light (DueLight value) computed in SQL, as `workflow.due_light` does."""
    return sa.case(
        (sa.or_(sa.not_(_working()), LedgerItem.deadline.is_(None)), DueLight.none.value),
        (LedgerItem.deadline < today, DueLight.red.value),
        (LedgerItem.deadline <= today + timedelta(days=YELLOW_DAYS), DueLight.yellow.value),
        else_=DueLight.green.value,
    )


def overdue_clause(today: date):
    return sa.and_(_working(), LedgerItem.deadline < today)


def escalation_expr(today: date):
    """The escalation level (Escalation value) by days overdue, as `workflow.escalation` does."""
    whens = [(sa.or_(sa.not_(_working()), LedgerItem.deadline.is_(None)), Escalation.none.value)]
    whens += [(LedgerItem.deadline <= today - timedelta(days=days), level.value) for level, days in ESCALATION_DAYS]
    return sa.case(*whens, else_=Escalation.none.value)


# --- The filter of the ledger page (all of it in the URL) ----------------------------------------

#: Sort keys; every sort ends with the id. Codes are handed out in creation order, so sorting by
#: code is sorting by id (the primary key: no sort step at all).
SORTS = {
    "code": (),
    "deadline": (LedgerItem.deadline,),
    "status": (LedgerItem.status,),
    "unit": (LedgerItem.unit_id,),
    "severity": (LedgerItem.severity,),
}
MINE = ("own", "verify")
VIEWS = ("ledger", "problems", "tasks", "responsibility", "deadlines")


@dataclass
class LedgerFilter:
    unit: int | None = None
    source: str = ""
    batch: str = ""
    category: str = ""
    status: str = ""
    owner: int | None = None
    mine: str = ""  #: "own": items I own; "verify": items waiting for my verification (待我验收)
    severity: str = ""
    countdown: str = ""
    escalation: str = ""  #: "remind" / "warn" / "supervise": overdue items at that level today (督办 list)
    origin_type: str = ""
    origin_id: int | None = None
    q: str = ""
    sort: str = "code"
    dir: str = "desc"
    view: str = "ledger"

    @classmethod
    def from_args(cls, args: Any) -> LedgerFilter:
        """Read the filter from query arguments, dropping values that are not valid choices."""
        def text(name: str, allowed: Any = None, limit: int = 200) -> str:
            value = (args.get(name) or "").strip()[:limit]
            return value if allowed is None or value in allowed else ""

        def number(name: str) -> int | None:
            try:
                value = int(args.get(name) or "")
            except ValueError:
                return None
            return value if value > 0 else None

        sort = text("sort", SORTS) or "code"
        view = text("view", VIEWS) or "ledger"
        return cls(
            unit=number("unit"), source=text("source", {s.value for s in ItemSource}), batch=text("batch"),
            category=text("category"), status=text("status", {s.value for s in ItemStatus} | {"active"}),
            owner=number("owner"), mine=text("mine", MINE), severity=text("severity", {s.value for s in Severity}),
            countdown=text("countdown", {c.value for c in Countdown}),
            escalation=text("escalation", {e.value for e in Escalation if e is not Escalation.none}), origin_type=text("origin_type", limit=40),
            origin_id=number("origin_id"), q=text("q", limit=100), sort=sort,
            dir="asc" if args.get("dir") == "asc" else "desc", view=view,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """The filter as URL arguments (empty ones left out), with `changes` applied."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        defaults = {"sort": "code", "dir": "desc", "view": "ledger"}
        return {k: v for k, v in values.items() if v not in (None, "") and defaults.get(k) != v}

    @property
    def is_empty(self) -> bool:
        return not any(v for k, v in self.args().items() if k not in ("sort", "dir", "view"))


def get_item_or_404(item_id: Any, user: User) -> LedgerItem:
    """An item the user sees (in scope, or owner / verifier / responsible leader of it); otherwise 404."""
    return get_visible_or_404(LedgerItem, item_id, user)


def get_extension_or_404(item: LedgerItem, request_id: int) -> ExtensionRequest:
    """One extension request of `item` (already loaded for the user); otherwise 404."""
    found = db.session.scalars(sa.select(ExtensionRequest).where(ExtensionRequest.id == request_id,
                                                                 ExtensionRequest.item_id == item.id)).first()
    if found is None:
        abort(404)
    return found


def item_page(item: LedgerItem, today: date) -> dict[str, Any]:
    """What an item's page shows beside the item: its light, escalation and days left, its progress
    entries (newest first), extension requests, evidence and timeline."""
    progress = db.session.scalars(sa.select(ProgressEntry).where(ProgressEntry.item_id == item.id)
                                  .order_by(ProgressEntry.on_date.desc(), ProgressEntry.id.desc())).all()
    extensions = db.session.scalars(sa.select(ExtensionRequest).where(ExtensionRequest.item_id == item.id)
                                    .order_by(ExtensionRequest.id.desc())).all()
    return dict(item=item, today=today, light=item_light(item.status, item.deadline, today),
                escalation=escalation(item.status, item.deadline, today),
                days_left=(item.deadline - today).days if item.deadline else None,
                progress=progress, extensions=extensions, evidence=attachments_of(item), activities=timeline(item))


def in_scope(stmt: sa.Select, user: User) -> sa.Select:
    """`scoping.visible` for ledger lists (scope or taking part), left out when it holds for every row.

    For a leader at the top of the only tree, `unit_id IN (<thousands of ids>)` restricts
    nothing but leads the query planner to probe every id and sort; without it the filter's
    own index (and the primary key's order) serve the page.
    """
    return stmt if covers_everything(user) else visible(stmt, LedgerItem, user)


def apply_filter(stmt: sa.Select, f: LedgerFilter, user: User, today: date) -> sa.Select:
    """Restrict `stmt` (selecting from ledger_item) to the user's scope and the filter."""
    stmt = in_scope(stmt, user)
    if f.unit:
        unit = db.session.get(OrgUnit, f.unit)
        stmt = stmt.where(LedgerItem.unit_id.in_(OrgUnit.subtree_ids(unit.path) if unit else sa.select(sa.null())))
    stmt = where_given(stmt, (LedgerItem.source, f.source), (LedgerItem.batch, f.batch),
                       (LedgerItem.category, f.category), (LedgerItem.owner_id, f.owner),
                       (LedgerItem.severity, f.severity), (LedgerItem.origin_type, f.origin_type),
                       (LedgerItem.origin_id, f.origin_id))
    if f.status == "active":
        stmt = stmt.where(LedgerItem.status.in_([s.value for s in OPEN_STATES]))
    elif f.status:
        stmt = stmt.where(LedgerItem.status == f.status)
    if f.mine == "own":
        stmt = stmt.where(LedgerItem.owner_id == user.id)
    elif f.mine == "verify":
        stmt = stmt.where(awaiting_verification_by(user))
    if f.countdown:
        low, high = countdown_bounds(Countdown(f.countdown), today)
        stmt = stmt.where(_working(), LedgerItem.deadline.is_not(None))
        if low is not None:
            stmt = stmt.where(LedgerItem.deadline >= low)
        if high is not None:
            stmt = stmt.where(LedgerItem.deadline <= high)
    if f.escalation:
        stmt = stmt.where(overdue_clause(today), escalation_expr(today) == f.escalation)
    if f.q:
        like = f"%{f.q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(sa.or_(LedgerItem.problem.like(like), LedgerItem.code.like(like)))
    return stmt


def ordered(stmt: sa.Select, f: LedgerFilter) -> sa.Select:
    """Order by the filter's sort, then by id (so an index on the sort column serves it).

    Items without a deadline sort where the database puts NULLs (SQLite first, PostgreSQL last
    when ascending).
    """
    columns = (*SORTS[f.sort], LedgerItem.id)
    return stmt.order_by(*(c.asc() if f.dir == "asc" else c.desc() for c in columns))


def ledger_page(f: LedgerFilter, user: User, today: date, page: int, per_page: int = 50) -> Page:
    """One page of (item, days_left, light, escalation) rows, in three narrow queries.

    A count and the page's ids come from the filtered index-friendly SELECT of ids alone; only
    the page's rows are then loaded with their unit and people and their lights computed.
    """
    ids_stmt = apply_filter(sa.select(LedgerItem.id), f, user, today)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ids_stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    ids = list(db.session.scalars(ordered(ids_stmt, f).limit(per_page).offset((page - 1) * per_page)))
    rows = []
    if ids:
        stmt = sa.select(LedgerItem, days_left_expr(today).label("days_left"), light_expr(today).label("light"),
                         escalation_expr(today).label("escalation")).where(LedgerItem.id.in_(ids))
        stmt = stmt.options(*(sa.orm.defaultload(rel).lazyload(User.memberships)
                              for rel in (LedgerItem.owner, LedgerItem.verifier, LedgerItem.responsible_leader)))
        by_id = {row[0].id: row for row in db.session.execute(stmt)}
        rows = [by_id[i] for i in ids if i in by_id]
    return Page(items=rows, page=page, per_page=per_page, total=total)


# --- Widgets ---------------------------------------------------------------------------------------

def awaiting_verification_by(user: User) -> sa.ColumnElement[bool]:
    """Submitted items waiting for `user` to verify: named as their verifier, or (none named) under
    a unit they lead. An owner never verifies their own item."""
    leads = LedgerItem.unit_id.in_(units_in_scope(user, Role.leader, Role.admin))
    return sa.and_(LedgerItem.status == ItemStatus.submitted.value,
                   sa.or_(LedgerItem.owner_id.is_(None), LedgerItem.owner_id != user.id),
                   sa.or_(LedgerItem.verifier_id == user.id, sa.and_(LedgerItem.verifier_id.is_(None), leads)))


def my_open_counts(user: User, today: date) -> dict[str, int]:
    """For the home page: my open items, of them overdue, the items waiting for my verification
    (待我验收, wherever they sit) and the overdue items of my units."""
    mine = sa.and_(LedgerItem.owner_id == user.id, LedgerItem.status.in_([s.value for s in OPEN_STATES]))
    in_units = LedgerItem.unit_id.in_(units_in_scope(user))
    row = db.session.execute(visible(sa.select(
        sa.func.sum(sa.case((mine, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(mine, overdue_clause(today)), 1), else_=0)),
        sa.func.sum(sa.case((awaiting_verification_by(user), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(in_units, overdue_clause(today)), 1), else_=0)),
    ), LedgerItem, user)).one()
    return {"mine": row[0] or 0, "mine_overdue": row[1] or 0, "to_verify": row[2] or 0, "overdue": row[3] or 0}


def supervised_count(user: User, today: date) -> int:
    """How many items under the units `user` leads are overdue at the 督办 level today (her 督办 list)."""
    return db.session.scalar(sa.select(sa.func.count(LedgerItem.id)).where(
        LedgerItem.unit_id.in_(units_in_scope(user, Role.leader, Role.admin)), overdue_clause(today),
        escalation_expr(today) == Escalation.supervise.value)) or 0


def my_work(user: User, today: date) -> list[WorkItem]:
    """The ledger's part of `user`'s work: the items she owns still to rectify (or waiting for
    verification, which she can follow), those waiting for her verification, and the extension
    requests she decides."""
    rows: list[WorkItem] = []
    owned = visible(sa.select(LedgerItem), LedgerItem, user).where(
        LedgerItem.owner_id == user.id, LedgerItem.status.in_([s.value for s in WORKING_STATES]))
    for item in db.session.scalars(owned.order_by(LedgerItem.deadline, LedgerItem.id).limit(50)):
        returned = item.status is ItemStatus.returned
        rows.append(WorkItem(_l("Returned to me") if returned else _l("My rectification item"),
                             f"{item.code} {item.problem[:60]}", "ledger.show", {"item_id": item.id},
                             _l("Rectify"), item.deadline, item_light(item.status, item.deadline, today).value,
                             item.unit.name))
    verify = visible(sa.select(LedgerItem), LedgerItem, user).where(awaiting_verification_by(user))
    for item in db.session.scalars(verify.order_by(LedgerItem.id).limit(50)):
        rows.append(WorkItem(_l("Waiting for my verification"), f"{item.code} {item.problem[:60]}", "ledger.show",
                             {"item_id": item.id}, _l("Verify"), None, "none", item.unit.name))
    leads = units_in_scope(user, Role.leader, Role.admin)
    asked = sa.select(ExtensionRequest, LedgerItem).join(LedgerItem, LedgerItem.id == ExtensionRequest.item_id).where(
        ExtensionRequest.status == ExtensionStatus.pending, LedgerItem.status != ItemStatus.void.value,
        sa.or_(LedgerItem.owner_id.is_(None), LedgerItem.owner_id != user.id),
        sa.or_(LedgerItem.verifier_id == user.id, LedgerItem.unit_id.in_(leads)))
    for request, item in db.session.execute(asked.order_by(ExtensionRequest.id).limit(50)):
        rows.append(WorkItem(_l("Extension request to decide"), f"{item.code} {item.problem[:60]}", "ledger.show",
                             {"item_id": item.id}, _l("Decide"), item.deadline,
                             item_light(item.status, item.deadline, today).value, item.unit.name,
                             anchor="extensions"))
    return rows


# --- The ledger as a problem source for other features ------------------------------------------

def count_problems(origin_type: str, origin_id: int) -> ProblemCounts:
    """Open and closed items found on one record (void ones count in neither)."""
    rows = db.session.execute(
        sa.select(LedgerItem.status, sa.func.count()).where(
            LedgerItem.origin_type == origin_type, LedgerItem.origin_id == origin_id)
        .group_by(LedgerItem.status)
    ).all()
    open_, closed = 0, 0
    for status, n in rows:
        if status in OPEN_STATES:
            open_ += n
        elif status is ItemStatus.closed:
            closed += n
    return ProblemCounts(open=open_, closed=closed)


# --- Choices of the forms and filters -------------------------------------------------------------

def people_rows(user: User, *, limit: int | None = None, only: set | None = None) -> list[Any]:
    """(id, full_name, username) of the active users of the units `user` covers and of the units
    above them (leaders verify), in natural order of their usernames (member2 before member10)."""
    above = {int(part) for path in user.scope_paths() for part in path.strip("/").split("/")}
    stmt = (sa.select(User.id, User.full_name, User.username)
            .where(User.is_active_flag.is_(True), User.id.in_(
                sa.select(Membership.user_id).where(sa.or_(Membership.unit_id.in_(units_in_scope(user)),
                                                           Membership.unit_id.in_(above)))))
            .order_by(User.username))
    if only is not None:
        stmt = stmt.where(User.id.in_([i for i in only if i]))
    return sort_people(db.session.execute(stmt.limit(limit)).all())


def people_choices(user: User, *, limit: int | None = None, only: set | None = None) -> list[tuple[int, str]]:
    """`people_rows` as the choices of a select: (id, "full name（username）")."""
    return [(r.id, person_label(r)) for r in people_rows(user, limit=limit, only=only)]


def person_label(person: Any) -> str:
    """A person as the ledger's selects name them: "full name（username）"."""
    return f"{person.full_name}（{person.username}）"


def by_id(model: type, ids: set[int]) -> dict[int, Any]:
    """The rows of `model` with these ids, by id (the units and people of checked import rows)."""
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


def person(user_id: int | None) -> User | None:
    """The user a form's select chose (its choices were the user's to offer), None for none."""
    return db.session.get(User, user_id) if user_id else None


def item_people_choices(user: User, item: LedgerItem) -> list[tuple[int, str]]:
    """`people_choices` plus the item's own people wherever they are (so an edit keeps them)."""
    people = people_choices(user)
    known = {user_id for user_id, _ in people}
    return people + [(u.id, person_label(u)) for u in (item.owner, item.verifier, item.responsible_leader)
                     if u is not None and u.id not in known]


def unit_people(unit: OrgUnit) -> list[tuple[int, str]]:
    """The active people holding a role in `unit` or below it (who may own its items), in natural order."""
    people = sort_people(db.session.scalars(sa.select(User).where(
        User.is_active_flag.is_(True), User.id.in_(sa.select(Membership.user_id).where(
            Membership.unit_id.in_(OrgUnit.subtree_ids(unit.path)))))))
    return [(u.id, person_label(u)) for u in people]


def unit_choices(user: User, *, creatable: bool = False) -> list[tuple[int, str]]:
    """The units `user` covers, indented in tree order (`creatable`: the active ones they record problems for)."""
    units = scoped_units(user, active_only=creatable)
    return indented_choices(u for u in units if not creatable or policy.can_create_in(user, u))


#: Past this many, the filter's lists keep only the larger units / the user and the chosen one
#: (a branch is then chosen from the roll-up, which links every unit).
FILTER_LIST_LIMIT = 300


def filter_units(user: User, f: LedgerFilter) -> list[tuple[int, str]]:
    """The unit filter's choices: the units in scope in tree order (only the committees and
    general branches when there are very many), plus the chosen one."""
    stmt = sa.select(OrgUnit.id, OrgUnit.name, OrgUnit.path, OrgUnit.kind).where(
        OrgUnit.id.in_(units_in_scope(user)))
    rows = db.session.execute(stmt.limit(FILTER_LIST_LIMIT + 1)).all()
    if len(rows) > FILTER_LIST_LIMIT:
        rows = db.session.execute(stmt.where(sa.or_(
            OrgUnit.kind.in_([k for k in UnitKind if k.level < UnitKind.branch.level]), OrgUnit.id == f.unit))).all()
    rows.sort(key=lambda r: [int(p) for p in r.path.strip("/").split("/")])
    return indented_choices(rows)


def filter_people(user: User, f: LedgerFilter) -> list[tuple[int, str]]:
    """The owner filter's choices: the people in scope (only the user and the chosen one when many)."""
    people = people_choices(user, limit=FILTER_LIST_LIMIT + 1)
    if len(people) > FILTER_LIST_LIMIT:
        people = people_choices(user, only={user.id, f.owner})
    return people


# --- Codes, dedupe keys and what a step looks at ------------------------------------------------

def immediate_days() -> int:
    """How many days a 立行立改 item has (LEDGER_IMMEDIATE_DAYS, default 7)."""
    return current_app.config.get("LEDGER_IMMEDIATE_DAYS", IMMEDIATE_DAYS) if has_app_context() else IMMEDIATE_DAYS


def next_code(year: int) -> tuple[int, str]:
    """The next sequence number of `year` and its code, e.g. (7, "ZG-2026-0007")."""
    last = db.session.scalar(sa.select(sa.func.max(LedgerItem.seq)).where(LedgerItem.year == year)) or 0
    seq = last + 1
    return seq, item_code(year, seq)


def item_code(year: int, seq: int) -> str:
    """The code of the `seq`th item of `year`: ZG-2026-0007."""
    return f"{CODE_PREFIX}-{year}-{seq:04d}"


def find_by_dedupe_key(key: str) -> LedgerItem | None:
    """The item recorded under `key` (a published deduction, an imported row), if any."""
    return db.session.scalars(sa.select(LedgerItem).where(LedgerItem.dedupe_key == key)).first()


def existing_dedupe_keys(keys: list[str]) -> set[str]:
    """Which of `keys` are already in the ledger (in chunks, one query per 500)."""
    wanted = sorted({k for k in keys if k})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(db.session.scalars(sa.select(LedgerItem.dedupe_key).where(
            LedgerItem.dedupe_key.in_(wanted[start:start + 500]))))
    return found


def existing_codes(user: User, codes: list[str | None]) -> set[str]:
    """Which of `codes` (ZG-…) name items in `user`'s scope (in chunks, one query per 500)."""
    wanted = sorted({c for c in codes if c and c.startswith(f"{CODE_PREFIX}-")})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(db.session.scalars(scoped(sa.select(LedgerItem.code).where(
            LedgerItem.code.in_(wanted[start:start + 500])), LedgerItem.unit_id, user)))
    return found


def evidence_count(item: LedgerItem) -> int:
    """How many files of evidence the item has."""
    return db.session.scalar(sa.select(sa.func.count(Attachment.id)).where(
        Attachment.owner_type == LedgerItem.__tablename__, Attachment.owner_id == item.id)) or 0


def pending_extensions(item: LedgerItem) -> int:
    """How many extension requests of the item wait for a decision."""
    return db.session.scalar(sa.select(sa.func.count(ExtensionRequest.id)).where(
        ExtensionRequest.item_id == item.id, ExtensionRequest.status == ExtensionStatus.pending)) or 0


# --- Escalation of overdue items (提醒 → 告诫 → 督办) ------------------------------------------

def reminded_since(start: datetime) -> set[int]:
    """The ids of the items reminded of since `start`."""
    return set(db.session.scalars(sa.select(Activity.subject_id).where(
        Activity.subject_type == LedgerItem.__tablename__, Activity.verb == "reminded",
        Activity.created_at >= start)))


def overdue_items(today: date) -> list[tuple[LedgerItem, Escalation]]:
    """Every overdue item with its escalation level today, by id."""
    rows = db.session.execute(sa.select(LedgerItem, escalation_expr(today)).where(overdue_clause(today))
                              .order_by(LedgerItem.id)).all()
    return [(item, Escalation(level)) for item, level in rows]


def due_soon_items(today: date) -> list[tuple[LedgerItem, int]]:
    """Every item being rectified whose deadline is today or within 7 days, with its days left."""
    rows = db.session.scalars(sa.select(LedgerItem).where(
        _working(), LedgerItem.deadline >= today, LedgerItem.deadline <= today + timedelta(days=7))
        .order_by(LedgerItem.id))
    return [(item, (item.deadline - today).days) for item in rows]


def escalation_recipients(item: LedgerItem, level: Escalation) -> list[User]:
    """Who hears of an overdue item: the owner (提醒), the secretary (告诫), the leader (督办)."""
    if level is Escalation.remind and item.owner is not None:
        return [item.owner]
    if level in (Escalation.remind, Escalation.warn):
        return item.unit.nearest_holders(Role.secretary)
    if item.responsible_leader is not None:
        return [item.responsible_leader]
    return item.unit.nearest_holders(Role.leader)


def item_names(ids: set[int]) -> dict[int, str]:
    """{id: "ZG-2026-0001 the problem"} of the items among `ids` (how a notice or the audit view names them)."""
    if not ids:
        return {}
    rows = db.session.execute(sa.select(LedgerItem.id, LedgerItem.code, LedgerItem.problem).where(LedgerItem.id.in_(ids)))
    return {i: f"{code} {problem[:80]}" for i, code, problem in rows}
