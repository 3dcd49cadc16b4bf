"""Writing rubrics (考核细则): a new rubric or one imported from a 考评表, its settings, its
categories and indicators, a new version, and freezing it once a published round used it."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import IO

import sqlalchemy as sa

from ...audit import apply_changes, changes, record_activity
from ...domain_errors import N_, Reason, StaleEdit, refuse
from ...extensions import db
from ...models import ItemKind, Method, OrgUnit, Rubric, RubricItem, Score, User, utcnow
from .. import scoring
from ..excel import parse_rubric
from ..policy import can_create_round, can_edit_rubric
from ..queries import rubric_in_use
from .checks import HALF, FieldErrors, ensure_allowed, plain

GRADE_FIELDS = ("grade_excellent", "grade_good", "grade_fair")


def _ensure_keeper(actor: User | None, rubric: Rubric) -> None:
    """Only leaders over the keeping unit change a rubric; `actor` None is the system (the demo)."""
    ensure_allowed(actor is None or can_edit_rubric(actor, rubric), "rubric_keeper")


def create_rubric(actor: User | None, unit: OrgUnit, name: str, *, bonus_cap: Decimal = Decimal(0),
                  grades: scoring.GradeScale | None = None) -> Rubric:
    """A new, empty rubric (first edition) kept by `unit`, graded by `grades` (default 90/80/60).

    Raises NotAllowed unless `actor` leads `unit`.
    """
    ensure_allowed(actor is None or can_create_round(actor, unit), "rubric_keeper")
    grades = grades or scoring.GradeScale()
    rubric = Rubric(unit_id=unit.id, name=name.strip(), bonus_cap=bonus_cap, edition=1,
                    grade_excellent=grades.excellent, grade_good=grades.good, grade_fair=grades.fair)
    rubric.unit = unit
    db.session.add(rubric)
    db.session.flush()
    rubric.family_id = rubric.id
    record_activity(actor, rubric, "created", after={"name": rubric.name})
    db.session.flush()
    return rubric


def import_rubric(actor: User, unit: OrgUnit, name: str, stream: IO[bytes]) -> Rubric:
    """Create a rubric from a 考评表 workbook (422 listing the bad rows; nothing is created then)."""
    categories, bonus_cap, grades = parse_rubric(stream)
    scale = None
    if grades is not None and not grade_problems(*grades):
        scale = scoring.GradeScale(*grades)
    rubric = create_rubric(actor, unit, name, bonus_cap=bonus_cap, grades=scale)
    for parsed in categories:
        total = parsed.points if parsed.points is not None else sum((i["points"] for i in parsed.indicators), Decimal(0))
        category = add_rubric_item(None, rubric, title=parsed.title, points=total)
        for values in parsed.indicators:
            add_rubric_item(None, rubric, parent=category, **values)
    db.session.flush()
    db.session.refresh(rubric)
    return rubric


def _ensure_editable(rubric: Rubric) -> None:
    if rubric.is_frozen:
        raise refuse(N_("This rubric was used by a published round and is frozen; "
                         "make a new version to change it."), "frozen", status=409)
    if rubric_in_use(rubric):
        raise refuse(N_("A round under way scores with this rubric; make a new version to change it."),
                      "in_use", status=409)


def grade_problems(excellent: Decimal | None, good: Decimal | None, fair: Decimal | None) -> dict[str, list[Reason]]:
    """Per threshold field, why the grade thresholds are refused: each is 0 … 1000 in steps of
    0.5, and 好 ≥ 较好 ≥ 一般."""
    problems: dict[str, list[Reason]] = defaultdict(list)
    values = dict(zip(GRADE_FIELDS, (excellent, good, fair)))
    for name, value in values.items():
        if value is None or value < 0 or value > 1000 or value % HALF:
            problems[name].append(Reason(N_("Points are 0 or more, in steps of 0.5."), code="points"))
    if not problems:
        if good > excellent:
            problems["grade_good"].append(Reason(N_("The threshold of 较好 cannot be above the threshold of 好 "
                                                    "(%(n)s)."), {"n": plain(excellent)}, code="grade_order"))
        if fair > good:
            problems["grade_fair"].append(Reason(N_("The threshold of 一般 cannot be above the threshold of 较好 "
                                                    "(%(n)s)."), {"n": plain(good)}, code="grade_order"))
    return dict(problems)


def update_rubric(actor: User, rubric: Rubric, *, version: int, name: str, bonus_cap: Decimal,
                  grade_excellent: Decimal | None = None, grade_good: Decimal | None = None,
                  grade_fair: Decimal | None = None) -> Rubric:
    """Rename the rubric, change its bonus cap or its grade thresholds (not once frozen).

    Thresholds left None keep their value. Raises NotAllowed unless `actor` keeps the rubric,
    FieldErrors (422) for thresholds out of order (好 ≥ 较好 ≥ 一般), StaleEdit for an old `version`.
    """
    _ensure_keeper(actor, rubric)
    _ensure_editable(rubric)
    if version != rubric.version:
        raise StaleEdit(rubric)
    grades = {"grade_excellent": rubric.grade_excellent if grade_excellent is None else grade_excellent,
              "grade_good": rubric.grade_good if grade_good is None else grade_good,
              "grade_fair": rubric.grade_fair if grade_fair is None else grade_fair}
    problems = grade_problems(*grades.values())
    if problems:
        raise FieldErrors(problems)
    values = {"name": name.strip(), "bonus_cap": bonus_cap, **grades}
    apply_changes(actor, rubric, values, "updated")
    db.session.flush()
    return rubric


def _check_points(points: Decimal | None) -> Decimal:
    if points is None or points < 0 or points % HALF:
        raise refuse(N_("Points are 0 or more, in steps of 0.5."), "points", status=422)
    return points


def add_rubric_item(actor: User | None, rubric: Rubric, *, title: str, points: Decimal,
                    parent: RubricItem | None = None, rule: str | None = None, method: Method | None = None,
                    kind: ItemKind = ItemKind.normal) -> RubricItem:
    """Add a category (no parent) or an indicator under a category, at the end."""
    _ensure_keeper(actor, rubric)
    _ensure_editable(rubric)
    if parent is not None and (parent.rubric_id != rubric.id or not parent.is_category):
        raise refuse(N_("Indicators sit under a category of the same rubric."), "parent", status=422)
    siblings = [i for i in rubric.items if i.parent_id == (parent.id if parent else None)]
    item = RubricItem(rubric=rubric, parent=parent, title=title.strip(), points=_check_points(points),
                      rule=(rule or "").strip() or None, method=method,
                      kind=kind if parent is not None else ItemKind.normal,
                      position=max((s.position for s in siblings), default=-1) + 1)
    db.session.add(item)
    db.session.flush()
    record_activity(actor, rubric, "item_added", after={"item": item.title, "points": str(item.points)},
                    unit_id=rubric.unit_id)
    return item


def update_rubric_item(actor: User, item: RubricItem, *, title: str, points: Decimal, rule: str | None,
                       method: Method | None, kind: ItemKind) -> RubricItem:
    """Change a category or indicator of an editable rubric."""
    _ensure_keeper(actor, item.rubric)
    _ensure_editable(item.rubric)
    values = {"title": title.strip(), "points": _check_points(points), "rule": (rule or "").strip() or None,
              "method": method, "kind": kind if not item.is_category else ItemKind.normal}
    before, after = changes(item, values)
    for name, value in values.items():
        setattr(item, name, value)
    if after:
        record_activity(actor, item.rubric, "item_updated", before=before, after=after,
                        note=item.title, unit_id=item.rubric.unit_id)
    db.session.flush()
    return item


def delete_rubric_item(actor: User, item: RubricItem) -> None:
    """Remove an indicator, or a category with its indicators, while nothing scored them."""
    rubric = item.rubric
    _ensure_keeper(actor, rubric)
    _ensure_editable(rubric)
    ids = [item.id] + [c.id for c in item.children]
    if db.session.scalar(sa.select(Score.id).where(Score.item_id.in_(ids)).limit(1)) is not None:
        raise refuse(N_("Scores were already given on this item; make a new version instead."), "scored", status=409)
    for child in list(item.children):
        rubric.items.remove(child)
        db.session.delete(child)
    rubric.items.remove(item)
    db.session.delete(item)
    record_activity(actor, rubric, "item_removed", before={"item": item.title}, unit_id=rubric.unit_id)
    db.session.flush()


def new_rubric_edition(actor: User, rubric: Rubric) -> Rubric:
    """Copy `rubric` into the next edition (editable); the copied one stops being current."""
    _ensure_keeper(actor, rubric)
    latest = db.session.scalar(sa.select(sa.func.max(Rubric.edition)).where(Rubric.family_id == rubric.family_id))
    copy = Rubric(unit_id=rubric.unit_id, name=rubric.name, family_id=rubric.family_id, edition=(latest or 0) + 1,
                  bonus_cap=rubric.bonus_cap, grade_excellent=rubric.grade_excellent, grade_good=rubric.grade_good,
                  grade_fair=rubric.grade_fair)
    copy.unit = rubric.unit
    db.session.add(copy)
    for category in rubric.categories:
        new_category = RubricItem(rubric=copy, title=category.title, points=category.points, rule=category.rule,
                                  method=category.method, kind=category.kind, position=category.position)
        db.session.add(new_category)
        for child in category.children:
            db.session.add(RubricItem(rubric=copy, parent=new_category, title=child.title, points=child.points,
                                      rule=child.rule, method=child.method, kind=child.kind, position=child.position))
    db.session.execute(sa.update(Rubric).where(Rubric.family_id == rubric.family_id, Rubric.id != copy.id)
                       .values(is_current=False).execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire(rubric, ["is_current"])
    db.session.expire(copy, ["items"])
    record_activity(actor, copy, "created", before={"edition": rubric.edition},
                    after={"name": copy.name, "edition": copy.edition})
    db.session.flush()
    return copy


def freeze_rubric(actor: User | None, rubric: Rubric) -> None:
    """Freeze the rubric: a published round scored with it, so its points hold still for good.

    Publication freezes it as the system (`actor` None) and records that on the round; anyone else
    must keep the rubric.
    """
    _ensure_keeper(actor, rubric)
    if rubric.frozen_at is None:
        rubric.frozen_at = utcnow()
        db.session.flush()
