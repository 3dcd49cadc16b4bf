"""Every form, driven with random input by hypothesis: no answer is ever a 500.

On the demo data, as its administrator, every unsafe route of the URL map is posted a form whose
fields (the union of every WTForms field name in the tracker and the raw names views read) hold
random text — Chinese, emoji, bidi and control characters, 10,000-character strings, numbers,
impossible dates, formulas and markup — and every GET page with a query string gets the same.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

import tracker  # noqa: F401  (imports every feature's forms)
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.models import (Appeal, ChecklistItem, ExtensionRequest, LedgerItem, Membership, OrgUnit, Project,
                            ProjectCategory, ProjectTemplate, ReviewPair, ReviewRound, Rubric, RubricItem, Scoresheet,
                            TemplateItem, TemplateTarget, UnitKind, User)

#: Routes a fuzzed request must not take: they end the session the test drives.
SKIP = {"auth.logout", "auth.login"}

TRICKY = ["", " ", "0", "-1", "1e309", "NaN", "Infinity", "２０２６-１２-０１", "2026-02-30", "9999-12-31", "0000-00-00",
          "=1+2", "@SUM(A1)", "<script>alert(1)</script>", "\u202etxt.exe", "a\x00b", "\x1b[31m", "'; DROP TABLE x; --",
          "𝕏😀👍🏽", "党" * 10_000, "1" * 400, "None", "true", "../../etc/passwd", "%s%n", "{{ 7*7 }}"]
VALUES = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
    st.integers(-10**12, 10**12).map(str),
    st.dates().map(str),
)


def _field_names() -> list[str]:
    """Every field name of every form class, plus the names views read from the request directly."""
    names, seen, todo = set(), set(), [FlaskForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
                names |= {n for n in dir(sub) if isinstance(getattr(sub, n, None), UnboundField)}
    return sorted(names | {"active", "direction", "done", "next", "note", "page", "parent", "period", "points",
                           "project_ids", "q", "sort", "stage", "unit", "unit_id", "veto", "view", "year", "version"})


def _rules() -> list[tuple[str, str, str]]:
    app = create_app(TestConfig)
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            rules.append((rule.endpoint, method, rule.rule))
    return sorted(rules)


FIELDS = _field_names()
RULES = _rules()


def _ids() -> dict[str, int | str]:
    """A real record for every URL argument, taken from the demo (so the forms are reached, not a 404)."""
    first = lambda stmt: db.session.scalar(stmt.limit(1))  # noqa: E731
    project = first(sa.select(Project).join(ChecklistItem).order_by(Project.id))
    template = first(sa.select(ProjectTemplate).join(TemplateItem).order_by(ProjectTemplate.id))
    item = first(sa.select(LedgerItem).join(ExtensionRequest).order_by(LedgerItem.id)) or first(sa.select(LedgerItem))
    round_ = first(sa.select(ReviewRound).join(ReviewPair).order_by(ReviewRound.id.desc()))
    sheet = first(sa.select(Scoresheet).where(Scoresheet.round_id == round_.id))
    rubric = db.session.get(Rubric, round_.rubric_id)
    return {
        "project_id": project.id, "item_id": first(sa.select(ChecklistItem.id).where(ChecklistItem.project_id == project.id)), "category_id": first(sa.select(ProjectCategory.id)),
        "template_id": template.id, "target_id": first(sa.select(TemplateTarget.id)),
        "ledger_item_id": item.id, "request_id": first(sa.select(ExtensionRequest.id).where(
            ExtensionRequest.item_id == item.id)) or 1,
        "round_id": round_.id, "pair_id": first(sa.select(ReviewPair.id).where(ReviewPair.round_id == round_.id)),
        "unit_id": first(sa.select(OrgUnit.id).where(OrgUnit.kind == UnitKind.branch)), "sheet_id": sheet.id,
        "rubric_id": rubric.id, "rubric_item_id": first(sa.select(RubricItem.id).where(
            RubricItem.rubric_id == rubric.id, RubricItem.parent_id.isnot(None))),
        "appeal_id": first(sa.select(Appeal.id)) or 1, "user_id": first(sa.select(User.id).where(User.username == "member1")),
        "membership_id": first(sa.select(Membership.id)), "attachment_id": 1, "name": "summary",
        "template_item_id": first(sa.select(TemplateItem.id).where(TemplateItem.template_id == template.id)),
    }


def _url(endpoint: str, rule: str, ids: dict) -> str:
    feature = endpoint.split(".")[0]

    def fill(match):
        if match.group(1) == "any":
            return match.group(2).split(",")[0].strip()
        arg = match.group(3)
        if arg == "part_id":
            arg = "template_item_id"
        if arg == "item_id":
            arg = {"ledger": "ledger_item_id", "reviews": "rubric_item_id"}.get(feature, arg)
            if feature == "projects" and "/templates/" in rule:
                arg = "template_item_id"
        return str(ids.get(arg, 1))

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", fill, rule)


@pytest.fixture
def demo(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        ids = _ids()
    client = app.test_client()
    assert client.post("/login", data={"username": "admin", "password": "demo12345"}).status_code == 302
    return client, ids


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pool=st.lists(VALUES, min_size=8, max_size=16), rnd=st.randoms(use_true_random=False))
def test_no_form_answers_random_input_with_a_500(demo, pool, rnd):
    """Each example: a pool of hostile values, spread by a seeded random over every route's fields."""
    client, ids = demo
    failures = []
    for endpoint, method, rule in RULES:
        form = {name: rnd.choice(pool) for name in rnd.sample(FIELDS, rnd.randint(1, 12))}
        url = _url(endpoint, rule, ids)
        if method == "GET":
            response = client.get(url, query_string=form)
        else:
            response = client.open(url, method=method, data=form, headers=rnd.choice([{}, {"HX-Request": "true"}]))
        if response.status_code >= 500:
            failures.append(f"{method} {url} ({endpoint}) with {form!r} answered {response.status_code}")
    assert not failures, "\n".join(failures)
