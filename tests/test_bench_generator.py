"""The benchmark generator's small scale builds a migrated SQLite database that keeps the app's rules."""

from __future__ import annotations

import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import generate  # noqa: E402

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "small.db"
    url = f"sqlite:///{path}"
    counts = generate.build(url, "small", today=TODAY, log=lambda *a, **k: None)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        yield counts, conn, url
    engine.dispose()


def rows(conn, sql: str):
    return conn.execute(sa.text(sql)).all()


def test_counts(built):
    counts, conn, _ = built
    assert counts["org_unit"] == 1 + 2 + 20
    assert rows(conn, "SELECT COUNT(*) FROM org_unit WHERE kind = 'branch'")[0][0] == 20
    assert counts["user_account"] == 1 + 2 + 20 * 10
    assert counts["project"] == 200 and counts["checklist_item"] == 2000
    assert counts["ledger_item"] == 1000
    assert rows(conn, "SELECT COUNT(*) FROM review_round WHERE state = 'published' AND k = 3")[0][0] == 4
    assert rows(conn, "SELECT COUNT(*) FROM review_rubric_item WHERE parent_id IS NOT NULL")[0][0] == 20
    assert counts["review_scoresheet"] == 4 * 20 * 3 and counts["review_score"] == 4 * 20 * 3 * 20
    assert counts["review_result"] == 4 * 20


def test_every_status_and_stage_has_rows(built):
    _, conn, _ = built
    statuses = {s for (s,) in rows(conn, "SELECT DISTINCT status FROM ledger_item")}
    assert statuses == {"open", "in_progress", "submitted", "returned", "closed", "reopened", "void"}
    stages = {s for (s,) in rows(conn, "SELECT DISTINCT stage FROM project")}
    assert stages == {"plan", "run", "check", "rectify", "done"}
    assert rows(conn, "SELECT COUNT(*) FROM ledger_item WHERE deadline < :d AND status NOT IN ('closed', 'void')"
                .replace(":d", f"'{TODAY}'"))[0][0] > 0


def test_codes_are_unique_and_numbered_per_year(built):
    _, conn, _ = built
    for table, prefix in (("project", "XM"), ("ledger_item", "ZG")):
        found = rows(conn, f"SELECT code, year, seq FROM {table}")
        assert len({code for code, _, _ in found}) == len(found)
        for code, year, seq in found:
            assert code == f"{prefix}-{year}-{seq:04d}"
        by_year = Counter(year for _, year, _ in found)
        for year, n in by_year.items():
            assert sorted(seq for _, y, seq in found if y == year) == list(range(1, n + 1))


def test_verifier_is_never_the_owner_and_often_in_another_branch(built):
    _, conn, _ = built
    assert rows(conn, "SELECT COUNT(*) FROM ledger_item WHERE verifier_id IS NULL OR verifier_id = owner_id")[0][0] == 0
    elsewhere = rows(conn, """SELECT COUNT(*) FROM ledger_item i JOIN membership m ON m.user_id = i.verifier_id
                              WHERE m.unit_id <> i.unit_id AND m.role = 'secretary'""")[0][0]
    assert elsewhere > 100


def test_paths_follow_the_tree(built):
    _, conn, _ = built
    units = {i: (parent, path) for i, parent, path in rows(conn, "SELECT id, parent_id, path FROM org_unit")}
    for unit_id, (parent, path) in units.items():
        expected = f"/{unit_id}/" if parent is None else f"{units[parent][1]}{unit_id}/"
        assert path == expected
        assert re.fullmatch(r"(/\d+)+/", path)


def test_rounds_are_balanced_without_self_or_reciprocal_pairs(built):
    _, conn, _ = built
    for (round_id,) in rows(conn, "SELECT id FROM review_round"):
        pairs = rows(conn, f"SELECT reviewer_id, reviewee_id FROM review_pair WHERE round_id = {round_id}")
        assert all(a != b for a, b in pairs)
        assert set(Counter(a for a, _ in pairs).values()) == {3} == set(Counter(b for _, b in pairs).values())
        assert not {(b, a) for a, b in pairs} & set(pairs)
    # Each deduction of a published result is one ledger item of the reviewed branch, linked to its round.
    links = rows(conn, """SELECT l.unit_id, i.unit_id, i.source, i.origin_id, l.round_id FROM review_ledger_link l
                          JOIN ledger_item i ON i.id = l.ledger_item_id""")
    assert links and all(a == b and source == "review" and origin == r for a, b, source, origin, r in links)


def test_rectifying_projects_have_an_open_linked_item_and_done_ones_a_verdict(built):
    _, conn, _ = built
    assert rows(conn, """SELECT COUNT(*) FROM project p WHERE p.stage = 'rectify' AND NOT EXISTS (
                         SELECT 1 FROM ledger_item i WHERE i.origin_type = 'project' AND i.origin_id = p.id
                         AND i.status = 'open')""")[0][0] == 0
    assert rows(conn, "SELECT COUNT(*) FROM project WHERE stage = 'done' AND (verdict_by_id IS NULL "
                      "OR verdict_by_id = owner_id)")[0][0] == 0


def test_one_password_hash_and_the_logins(built):
    _, conn, _ = built
    assert rows(conn, "SELECT COUNT(DISTINCT password_hash) FROM user_account")[0][0] == 1
    roles = dict(rows(conn, """SELECT u.username, m.role FROM user_account u JOIN membership m ON m.user_id = u.id
                               WHERE u.username IN ('leader', 'sec0001', 'mem0001')"""))
    assert roles == {"leader": "leader", "sec0001": "secretary", "mem0001": "member"}
    from tracker.auth.passwords import verify_password

    assert verify_password(rows(conn, "SELECT password_hash FROM user_account LIMIT 1")[0][0], generate.PASSWORD)


def test_refuses_a_database_that_is_not_empty(built):
    _, _, url = built
    with pytest.raises(SystemExit, match="not empty"):
        generate.build(url, "small", log=lambda *a, **k: None)


def test_state_fields_follow_the_status(built):
    _, conn, _ = built
    assert rows(conn, "SELECT COUNT(*) FROM ledger_item WHERE (status = 'closed') <> (closed_at IS NOT NULL)")[0][0] == 0
    assert rows(conn, "SELECT COUNT(*) FROM ledger_item WHERE status IN ('submitted', 'closed') AND "
                      "(completed_at IS NULL OR completion_note IS NULL)")[0][0] == 0
    # Submitting needs evidence: every submitted or closed item has a file.
    assert rows(conn, """SELECT COUNT(*) FROM ledger_item i WHERE i.status IN ('submitted', 'closed') AND NOT EXISTS (
                         SELECT 1 FROM attachment a WHERE a.owner_type = 'ledger_item' AND a.owner_id = i.id)""")[0][0] == 0
    assert rows(conn, """SELECT COUNT(*) FROM ledger_item i WHERE i.status = 'void' AND NOT EXISTS (
                         SELECT 1 FROM activity a WHERE a.subject_type = 'ledger_item' AND a.subject_id = i.id
                         AND a.verb = 'voided' AND a.note IS NOT NULL)""")[0][0] == 0
