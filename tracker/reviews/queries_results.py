"""Reading a round's results: every unit's total, grade and rank, the circular's deductions and
highlights, the summary of the results page, and a unit's scores over the rounds (its panel).

Before publication the results are computed from the sheets that count; once published they are
read from the stored results, which publication writes (see `operations.publication`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..models import ItemKind, OrgUnit, ReviewRound, RoundResult, Rubric, RubricItem, Score, Scoresheet
from . import scoring
from .labels import GRADE_LABELS
from .queries import participants, veto_decisions
from .workflow import RoundState, is_public


def scale_of(rubric: Rubric) -> scoring.GradeScale:
    """The rubric's grade thresholds."""
    return scoring.GradeScale(rubric.grade_excellent, rubric.grade_good, rubric.grade_fair)


def _indicators(rubric: Rubric) -> list[scoring.Indicator]:
    return [scoring.Indicator(i.id, i.points, scoring.Kind(i.kind.value)) for i in rubric.indicators]


def counted_scores(round_: ReviewRound):
    """Rows (reviewee, reviewer, item, points, veto, note, sheet id) of the sheets that count."""
    return db.session.execute(
        sa.select(Scoresheet.reviewee_unit_id, Scoresheet.reviewer_unit_id, Score.item_id, Score.points,
                  Score.is_veto, Score.note, Scoresheet.id)
        .join(Score, Score.sheet_id == Scoresheet.id)
        .where(Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None),
               Scoresheet.submitted_at.is_not(None), Scoresheet.excluded_reason.is_(None))
        .order_by(Scoresheet.id)
    ).all()


def compute_results(round_: ReviewRound, rows=None) -> list[scoring.UnitResult]:
    """Every participating unit's total, grade and rank from the sheets that count, now."""
    rubric = round_.rubric
    kinds = {i.id: i.kind for i in rubric.indicators}
    scores: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    sheets: dict[int, dict[int, set[int]]] = defaultdict(dict)  # reviewee -> sheet -> veto items ticked
    for reviewee, _reviewer, item_id, points, veto, _note, sheet in (rows if rows is not None else counted_scores(round_)):
        ticked = sheets[reviewee].setdefault(sheet, set())
        if kinds.get(item_id) is ItemKind.veto:
            if veto:
                ticked.add(item_id)
        elif points is not None:
            scores[reviewee][item_id].append(Decimal(points))
    # Every counted sheet marks each veto item: one it never ticked counts as "not triggered".
    veto_ids = [i for i, kind in kinds.items() if kind is ItemKind.veto]
    vetoes = {reviewee: {item_id: [item_id in ticked for ticked in by_sheet.values()] for item_id in veto_ids}
              for reviewee, by_sheet in sheets.items()}
    decided: dict[int, dict[int, bool]] = defaultdict(dict)
    for (unit_id, item_id), decision in veto_decisions(round_).items():
        if kinds.get(item_id) is ItemKind.veto:
            decided[unit_id][item_id] = decision.is_applied
    units = [scoring.UnitScores(u.id, scores.get(u.id, {}), vetoes.get(u.id, {}), decided.get(u.id, {}))
             for u in participants(round_)]
    return scoring.aggregate(_indicators(rubric), units, scale_of(rubric), rubric.bonus_cap)


@dataclass
class Deduction:
    """A published deduction of one unit on one indicator: what the ledger item is made of."""

    unit_id: int
    item: RubricItem
    points: Decimal | None  #: points deducted (None for a triggered veto)
    notes: list[str] = field(default_factory=list)
    reviewer_ids: list[int] = field(default_factory=list)

    @property
    def problem(self) -> str:
        return "；".join(dict.fromkeys(self.notes))


def deductions_of(round_: ReviewRound, results: list[scoring.UnitResult], rows) -> list[Deduction]:
    """Per unit and normal indicator whose published mean is below full points, or triggered veto."""
    items = {i.id: i for i in round_.rubric.indicators}
    notes: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for reviewee, reviewer, item_id, points, veto, note, _sheet in rows:
        item = items.get(item_id)
        if item is None:
            continue
        deducted = veto if item.kind is ItemKind.veto else (
            item.kind is ItemKind.normal and points is not None and Decimal(points) < item.points)
        if deducted and note:
            notes[(reviewee, item_id)].append((reviewer, note))
    found = []
    for result in results:
        for item_id, mean in result.breakdown.items():
            item = items[item_id]
            if item.kind is ItemKind.normal and mean < item.points:
                given = notes.get((result.unit_id, item_id), [])
                found.append(Deduction(result.unit_id, item, item.points - mean, [n for _, n in given],
                                       [r for r, _ in given]))
        for item_id in result.vetoed_by:
            given = notes.get((result.unit_id, item_id), [])
            found.append(Deduction(result.unit_id, items[item_id], None, [n for _, n in given],
                                   [r for r, _ in given]))
    return found


def full_points(rubric: Rubric) -> dict[int, Decimal]:
    """Each regular indicator's points."""
    return {i.id: i.points for i in rubric.indicators if i.kind is ItemKind.normal}


def stored_breakdown(result: scoring.UnitResult, full: Mapping[int, Decimal]) -> dict[str, Any]:
    """{indicator id: mean} as strings (exact), plus "deducted": the normal indicators below full
    points, and "veto": the veto items that triggered (so the circular reads its deductions off)."""
    stored: dict[str, Any] = {str(k): str(v) for k, v in result.breakdown.items()}
    stored["deducted"] = [k for k, v in result.breakdown.items() if k in full and v < full[k]]
    if result.vetoed_by:
        stored["veto"] = list(result.vetoed_by)
    return stored


def results_table(round_: ReviewRound) -> list[dict]:
    """The ranking, best first: stored results once published, computed from the sheets before."""
    if is_public(round_.state):
        rows = db.session.execute(
            sa.select(RoundResult.unit_id, OrgUnit.name, RoundResult.total, RoundResult.grade, RoundResult.rank,
                      RoundResult.bonus, RoundResult.is_vetoed, RoundResult.breakdown)
            .join(OrgUnit, OrgUnit.id == RoundResult.unit_id)
            .where(RoundResult.round_id == round_.id)
            .order_by(RoundResult.rank.is_(None), RoundResult.rank, OrgUnit.path)
        ).all()
        bonus_ids = [str(i.id) for i in round_.rubric.indicators if i.kind is ItemKind.bonus]
        return [{"unit_id": uid, "name": name, "total": total, "grade": grade, "rank": rank, "bonus": bonus,
                 "vetoed": vetoed, "breakdown": breakdown or {}, "veto_pending": (),
                 "bonus_scored": sum((Decimal(breakdown[k]) for k in bonus_ids if k in (breakdown or {})),
                                     Decimal(0))}
                for uid, name, total, grade, rank, bonus, vetoed, breakdown in rows]
    names = {u.id: u.name for u in participants(round_)}
    full = full_points(round_.rubric)
    return [{"unit_id": r.unit_id, "name": names.get(r.unit_id, ""), "total": r.total,
             "grade": r.grade.value if r.grade else None, "rank": r.rank, "bonus": r.bonus, "vetoed": r.vetoed,
             "breakdown": stored_breakdown(r, full), "veto_pending": r.veto_pending,
             "bonus_scored": r.bonus_scored} for r in compute_results(round_)]


def result_of(round_: ReviewRound, unit: OrgUnit) -> dict | None:
    """The unit's row of the ranking, if it has one."""
    return next((r for r in results_table(round_) if r["unit_id"] == unit.id), None)


def deduction_rows(round_: ReviewRound, table: list[dict], unit_id: int | None = None,
                   notes_for: int | None = None) -> list[dict]:
    """Deductions as the circular lists them: unit, indicator, points deducted (full points minus
    the published mean, or a triggered veto) and the reviewers' notes.

    Read off the ranking's breakdown; the notes are fetched for the first `notes_for` deductions
    only (all when None), so a page listing a few hundred of thousands stays fast.
    """
    items = round_.rubric.indicators
    normal = {i.id: i for i in items if i.kind is ItemKind.normal}
    vetoes = {i.id: i for i in items if i.kind is ItemKind.veto}
    rows = []
    for result in table:
        if result["total"] is None or (unit_id is not None and result["unit_id"] != unit_id):
            continue
        breakdown = result["breakdown"]
        for item_id in breakdown.get("deducted", ()):
            item = normal.get(item_id)
            if item is not None:
                rows.append({"unit_id": result["unit_id"], "unit": result["name"], "item_id": item.id,
                             "item": item.title, "category": item.parent.title if item.parent else "",
                             "points": item.points - Decimal(breakdown[str(item_id)]), "problem": "",
                             "veto": False})
        if result["vetoed"]:
            for item in (vetoes[i] for i in breakdown.get("veto", []) if i in vetoes):
                rows.append({"unit_id": result["unit_id"], "unit": result["name"], "item_id": item.id,
                             "item": item.title, "category": item.parent.title if item.parent else "",
                             "points": None, "problem": "", "veto": True})
    wanted = rows if notes_for is None else rows[:notes_for]
    if wanted:
        units = {r["unit_id"] for r in wanted}
        stmt = (
            sa.select(Scoresheet.reviewee_unit_id, Score.item_id, Score.note)
            .join(Score, Score.sheet_id == Scoresheet.id).join(RubricItem, RubricItem.id == Score.item_id)
            .where(Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None),
                   Scoresheet.submitted_at.is_not(None), Scoresheet.excluded_reason.is_(None),
                   Score.note.is_not(None),
                   sa.or_(sa.and_(RubricItem.kind == ItemKind.normal, Score.points < RubricItem.points),
                          Score.is_veto.is_(True)))
            .order_by(Scoresheet.id)
        )
        if len(units) <= 500:
            stmt = stmt.where(Scoresheet.reviewee_unit_id.in_(units))
        notes: dict[tuple[int, int], list[str]] = defaultdict(list)
        for unit, item_id, note in db.session.execute(stmt):
            if note not in notes[(unit, item_id)]:
                notes[(unit, item_id)].append(note)
        for row in wanted:
            found = notes.get((row["unit_id"], row["item_id"]), [])
            row["problem"] = "；".join(found)
    return rows


def highlight_rows(round_: ReviewRound, limit: int | None = None) -> list[dict]:
    stmt = (sa.select(OrgUnit.name, Scoresheet.highlights).join(OrgUnit, OrgUnit.id == Scoresheet.reviewee_unit_id)
            .where(Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None),
                   Scoresheet.submitted_at.is_not(None), Scoresheet.excluded_reason.is_(None),
                   Scoresheet.highlights.is_not(None))
            .order_by(OrgUnit.path, Scoresheet.id))
    if limit:
        stmt = stmt.limit(limit)
    return [{"unit": name, "text": text} for name, text in db.session.execute(stmt)]


@dataclass
class ResultsSummary:
    """What the results page shows beside the ranking: per indicator the mean and how many units
    lost points on it, and how many units earned each grade (for its chart)."""

    indicators: list[RubricItem]
    rows: list[dict] = field(default_factory=list)  #: {"item", "mean", "deducted"} per indicator
    grade_counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_bonus(self) -> bool:
        return any(i.kind is ItemKind.bonus for i in self.indicators)

    def chart_json(self) -> str:
        chart = {"labels": [str(GRADE_LABELS[g]) for g in GRADE_LABELS],
                 "counts": [self.grade_counts[g.value] for g in GRADE_LABELS], "title": _("Units per grade")}
        return json.dumps(chart, ensure_ascii=False)


def results_summary(round_: ReviewRound, table: list[dict], deductions: list[dict]) -> ResultsSummary:
    """Per indicator (veto items aside) the mean over the units with a total and the number of
    deductions listed; per grade the number of units."""
    indicators = [i for i in round_.rubric.indicators if i.kind is not ItemKind.veto]
    sums = {str(i.id): [0.0, 0] for i in indicators}
    counts = {g.value: 0 for g in GRADE_LABELS}
    for r in table:
        if r["total"] is None:
            continue
        counts[r["grade"]] = counts.get(r["grade"], 0) + 1
        for key, value in r["breakdown"].items():
            if key in sums:
                sums[key][0] += float(value)
                sums[key][1] += 1
    deducted: dict[int, int] = {}
    for d in deductions:
        deducted[d["item_id"]] = deducted.get(d["item_id"], 0) + 1
    rows = [{"item": i, "mean": round(sums[str(i.id)][0] / sums[str(i.id)][1], 2) if sums[str(i.id)][1] else None,
             "deducted": deducted.get(i.id, 0)} for i in indicators]
    return ResultsSummary(indicators, rows, counts)


# --- A unit over the rounds ----------------------------------------------------------------------

def unit_history(unit: OrgUnit, limit: int = 12) -> list[dict]:
    """The unit's published results, oldest first (for its trend line)."""
    rows = db.session.execute(
        sa.select(RoundResult, ReviewRound).join(ReviewRound, ReviewRound.id == RoundResult.round_id)
        .where(RoundResult.unit_id == unit.id, RoundResult.total.is_not(None),
               ReviewRound.state.in_([RoundState.published.value, RoundState.closed.value]))
        .order_by(ReviewRound.year.desc(), ReviewRound.quarter.desc(), ReviewRound.id.desc()).limit(limit)
    ).all()
    return [{"round": rnd, "total": r.total, "grade": r.grade, "rank": r.rank} for r, rnd in reversed(rows)]


def combined_totals(history: list[dict], weights: Mapping[int, Decimal | int]) -> list[dict]:
    """Half-year and annual scores per year: rounds combined by their quarter's weight; two rounds
    in one quarter both count, as their mean."""
    years: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for h in history:
        years[h["round"].year][h["round"].quarter].append(h["total"])
    out = []
    for year in sorted(years):
        totals = {q: scoring.mean_total(values) for q, values in years[year].items()}

        def combine(quarters):
            return scoring.combine_rounds([totals.get(q) for q in quarters], [weights.get(q, 1) for q in quarters])

        out.append({"year": year, "first_half": combine((1, 2)), "second_half": combine((3, 4)),
                    "annual": combine((1, 2, 3, 4))})
    return out


def review_history(unit: OrgUnit) -> dict:
    """The unit panel's data: the unit's published results, its half-year and annual scores
    (weighted by REVIEW_QUARTER_WEIGHTS) and its trend chart."""
    history = unit_history(unit)
    weights = current_app.config["REVIEW_QUARTER_WEIGHTS"]
    chart = {"labels": [h["round"].name for h in history], "totals": [float(h["total"]) for h in history],
             "title": _("Total score")}
    return {"history": history, "combined": combined_totals(history, weights),
            "chart_json": json.dumps(chart, ensure_ascii=False)}
