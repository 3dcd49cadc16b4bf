"""Peer-review assignment: hard rules hold on every round, soft rules are kept where possible."""

from __future__ import annotations

import time
from collections import Counter, deque

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.domain_errors import DomainError
from tracker.reviews.assignment import assign, override_pair, validate_pair

# 机关党委 1 above 党总支 2 and 3, each holding three 党支部.
PARTY_PATHS = {
    1: "/1/",
    2: "/1/2/", 4: "/1/2/4/", 5: "/1/2/5/", 6: "/1/2/6/",
    3: "/1/3/", 7: "/1/3/7/", 8: "/1/3/8/", 9: "/1/3/9/",
}
BRANCHES = {u: p for u, p in PARTY_PATHS.items() if u >= 4}


def in_line(p: str, q: str) -> bool:
    return p.startswith(q) or q.startswith(p)


def assert_hard_rules(paths: dict[int, str], k: int, pairs) -> None:
    assert len(set(pairs)) == len(pairs), "a pair appears twice"
    reviews = Counter(a for a, _ in pairs)
    reviewed = Counter(b for _, b in pairs)
    for unit in paths:
        assert reviews[unit] == k, f"{unit} reviews {reviews[unit]} units"
        assert reviewed[unit] == k, f"{unit} is reviewed by {reviewed[unit]} units"
    for a, b in pairs:
        assert a != b, f"{a} reviews itself"
        assert not in_line(paths[a], paths[b]), f"{a} and {b} are in one line"


def feasible(paths: dict[int, str], k: int) -> bool:
    """Exact oracle: a k-regular reviewer→reviewee flow over the allowed pairs exists."""
    ids = sorted(paths)
    n = len(ids)
    source, sink = 2 * n, 2 * n + 1
    capacity: dict[tuple[int, int], int] = {}
    neighbours: list[set[int]] = [set() for _ in range(2 * n + 2)]

    def edge(u: int, v: int, c: int) -> None:
        capacity[u, v] = capacity.get((u, v), 0) + c
        capacity.setdefault((v, u), 0)
        neighbours[u].add(v)
        neighbours[v].add(u)

    for i, a in enumerate(ids):
        edge(source, i, k)
        edge(n + i, sink, k)
        for j, b in enumerate(ids):
            if a != b and not in_line(paths[a], paths[b]):
                edge(i, n + j, 1)
    flow = 0
    while True:
        parent = {source: source}
        queue = deque([source])
        while queue and sink not in parent:
            u = queue.popleft()
            for v in neighbours[u]:
                if v not in parent and capacity[u, v] > 0:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            return flow == n * k
        v = sink
        while v != source:
            capacity[parent[v], v] -= 1
            capacity[v, parent[v]] += 1
            v = parent[v]
        flow += 1


@st.composite
def org_trees(draw, min_units: int = 4, max_units: int = 60) -> dict[int, str]:
    """Random parent pointers → materialised paths; sometimes only the leaves take part."""
    n = draw(st.integers(min_units, max_units))
    paths: dict[int, str] = {}
    for uid in range(1, n + 1):
        parent = draw(st.one_of(st.none(), st.integers(1, uid - 1))) if uid > 1 else None
        paths[uid] = (paths[parent] if parent else "/") + f"{uid}/"
    if draw(st.booleans()):
        paths = {u: p for u, p in paths.items() if not any(q != p and q.startswith(p)
                                                            for q in paths.values())}
    return paths


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(paths=org_trees(), k=st.integers(1, 3), seed=st.integers(0, 2**32))
def test_every_round_keeps_the_hard_rules_or_is_refused_only_when_impossible(paths, k, seed):
    try:
        result = assign(paths, k, seed=seed)
    except DomainError as error:
        assert not feasible(paths, k), "refused a round that has a valid assignment"
        assert {r.code for r in error.reasons} == {"impossible"}
    else:
        assert_hard_rules(paths, k, result.pairs)


@PROPERTY
@given(n=st.integers(4, 60), k=st.integers(1, 3), seed=st.integers(0, 2**32))
def test_units_in_no_common_line_are_always_assigned(n, k, seed):
    # Sufficient condition: nobody is in anybody's line and there are more than k units.
    paths = {u: f"/1/{u % 5 + 2}/{u + 10}/" for u in range(n)}
    assert_hard_rules(paths, k, assign(paths, k, seed=seed).pairs)


@PROPERTY
@given(paths=org_trees(), k=st.integers(1, 3), seed=st.integers(0, 2**32))
def test_previous_rounds_never_break_the_hard_rules(paths, k, seed):
    try:
        last = assign(paths, k, seed=seed)
    except DomainError:
        return
    before = assign(paths, k, [last.pairs], seed=seed + 1)
    result = assign(paths, k, [before.pairs, last.pairs], seed=seed + 2)
    assert_hard_rules(paths, k, result.pairs)
    reported = {(r.params["a"], r.params["b"]) for r in result.problems if r.code == "used_before"}
    assert reported == set(result.pairs) & (set(before.pairs) | set(last.pairs))


@PROPERTY
@given(paths=org_trees(), k=st.integers(1, 3), seed=st.integers(0, 2**32))
def test_the_same_seed_gives_the_same_round(paths, k, seed):
    try:
        first = assign(paths, k, seed=seed)
    except DomainError:
        return
    assert assign(dict(reversed(paths.items())), k, seed=seed) == first


def test_different_seeds_give_different_rounds():
    paths = {u: f"/1/{u}/" for u in range(2, 32)}
    rounds = {assign(paths, 2, seed=seed).pairs for seed in range(5)}
    assert len(rounds) > 1


def test_six_branches_review_two_others_without_reciprocal_pairs():
    result = assign(BRANCHES, 2, seed=2026)
    assert_hard_rules(BRANCHES, 2, result.pairs)
    assert not any((b, a) in result.pairs for a, b in result.pairs)
    assert result.problems == ()


def test_six_branches_avoid_last_rounds_pairs():
    last = assign(BRANCHES, 2, seed=1)
    result = assign(BRANCHES, 2, [last.pairs], seed=2)
    assert_hard_rules(BRANCHES, 2, result.pairs)
    assert not set(result.pairs) & set(last.pairs)
    assert result.problems == ()


@pytest.mark.parametrize("seed", range(5))
def test_when_pairs_must_repeat_the_older_rounds_pairs_repeat_first(seed):
    # Two rounds use 24 of the 30 possible pairs, so at least 6 must repeat.
    older = assign(BRANCHES, 2, seed=seed)
    last = assign(BRANCHES, 2, [older.pairs], seed=seed + 10)
    result = assign(BRANCHES, 2, [last.pairs, older.pairs], seed=seed + 20)
    assert_hard_rules(BRANCHES, 2, result.pairs)
    assert not set(result.pairs) & set(last.pairs)
    repeated = set(result.pairs) & set(older.pairs)
    assert repeated
    assert {(r.code, r.params["a"], r.params["b"], r.params["rounds_ago"])
            for r in result.problems} == {("used_before", a, b, 2) for a, b in repeated}


def test_branches_never_review_their_own_general_branch():
    paths = {u: p for u, p in PARTY_PATHS.items() if u != 1}
    for seed in range(10):
        pairs = assign(paths, 2, seed=seed).pairs
        assert_hard_rules(paths, 2, pairs)
        assert not {(2, 4), (4, 2), (3, 9), (9, 3)} & set(pairs)


def test_a_committee_above_every_other_unit_cannot_take_part():
    with pytest.raises(DomainError) as refused:
        assign(PARTY_PATHS, 2, seed=1)
    assert [(r.code, r.params["a"]) for r in refused.value.reasons] == [("impossible", 1)]


def test_k_must_be_below_the_number_of_units():
    with pytest.raises(DomainError) as refused:
        assign(BRANCHES, 6, seed=1)
    assert refused.value.reasons[0].code == "impossible"
    assert refused.value.reasons[0].params == {"n": 6, "k": 6}


def test_a_round_refused_although_each_unit_has_a_candidate():
    # 1 and its child 2 can each review only 3, but 3 can be reviewed by one unit only.
    with pytest.raises(DomainError) as refused:
        assign({1: "/1/", 2: "/1/2/", 3: "/3/"}, 1, seed=1)
    assert refused.value.reasons[0].code == "impossible"


def test_three_thousand_units_are_assigned_quickly():
    paths = {u: f"/1/{u % 30 + 2}/{u}/" for u in range(100, 3100)}
    paths |= {z: f"/1/{z}/" for z in range(2, 32)}
    start = time.perf_counter()
    result = assign(paths, 3, seed=7)
    assert time.perf_counter() - start < 2
    assert_hard_rules(paths, 3, result.pairs)


# validate_pair / override_pair ----------------------------------------------------------------

ROUND = ((4, 5), (4, 8), (5, 6), (5, 7), (6, 7), (6, 9), (7, 4), (7, 9), (8, 5), (8, 6),
         (9, 4), (9, 8))


def codes(reasons) -> list[str]:
    return [r.code for r in reasons]


def test_validate_pair_names_every_problem():
    assert codes(validate_pair(4, 4, BRANCHES)) == ["self"]
    assert codes(validate_pair(2, 4, PARTY_PATHS)) == ["same_line"]
    assert codes(validate_pair(4, 2, PARTY_PATHS)) == ["same_line"]
    assert codes(validate_pair(4, 5, BRANCHES, ROUND)) == ["duplicate"]
    assert codes(validate_pair(7, 5, BRANCHES, ROUND)) == ["reciprocal"]
    assert codes(validate_pair(4, 99, BRANCHES)) == ["unknown_unit"]
    used = validate_pair(4, 6, BRANCHES, ROUND, [{(1, 2)}, {(4, 6)}])
    assert [(r.code, r.params) for r in used] == [
        ("used_before", {"a": 4, "b": 6, "rounds_ago": 2})
    ]
    assert validate_pair(4, 6, BRANCHES, ROUND) == []


def test_override_refuses_a_pair_in_one_line():
    with pytest.raises(DomainError) as refused:
        override_pair(ROUND, (4, 5), (4, 2), {**BRANCHES, 2: "/1/2/"})
    assert codes(refused.value.reasons) == ["same_line"]


def test_override_refuses_a_self_pair_and_a_duplicate():
    with pytest.raises(DomainError) as refused:
        override_pair(ROUND, (4, 5), (4, 4), BRANCHES)
    assert codes(refused.value.reasons) == ["self"]
    with pytest.raises(DomainError) as refused:
        override_pair(ROUND, (4, 5), (4, 8), BRANCHES)
    assert codes(refused.value.reasons) == ["duplicate"]


def test_override_refuses_a_pair_no_longer_in_the_round():
    with pytest.raises(DomainError) as refused:
        override_pair(ROUND, (4, 6), (4, 9), BRANCHES)
    assert codes(refused.value.reasons) == ["unknown_pair"]


def test_override_keeping_the_load_balanced_warns_only_of_soft_problems():
    pairs, reasons = override_pair(ROUND, (4, 5), (4, 9), BRANCHES, [{(4, 9)}])
    assert (4, 9) in pairs and (4, 5) not in pairs and len(pairs) == len(ROUND)
    # 9 reviews 4 too, and 4 reviewed 9 last round; 5 lost a reviewer, 9 gained one.
    assert sorted(codes(reasons)) == ["reciprocal", "unbalanced", "unbalanced", "used_before"]
    assert {(r.params["a"], r.params["count"]) for r in reasons if r.code == "unbalanced"} == {
        (5, 1), (9, 3)
    }


def test_override_moving_a_review_to_another_reviewer_reports_both_loads():
    pairs, reasons = override_pair(ROUND, (4, 5), (9, 5), BRANCHES)
    assert (9, 5) in pairs
    assert sorted((r.params["a"], r.params["count"]) for r in reasons) == [(4, 1), (9, 3)]
    assert all(r.code == "unbalanced" for r in reasons)
