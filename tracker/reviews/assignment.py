"""Peer-review assignment for a review round (季度互查互评): who reviews whom, balanced and fair."""

from __future__ import annotations

import math
import random
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tracker.domain_errors import N_, DomainError, Reason

Pair = tuple[int, int]
"""(reviewer unit id, reviewee unit id)."""

#: Codes of reasons that make a pair unacceptable; any other code is a warning.
HARD_CODES = frozenset({"self", "same_line", "duplicate", "unknown_unit"})

#: Cost of repeating a pair from the previous round, the one before, …; older ones cost the last.
PREVIOUS_WEIGHTS = (8, 4, 2, 1)
#: Cost of a reciprocal pair: a little worse than repeating the most recent round's pair.
RECIPROCAL_WEIGHT = 10

# Edge counts up to which the search scans every partner edge and restarts several times;
# above it, random partner samples are plenty because almost every swap is acceptable.
_SMALL = 400
_SMALL_RESTARTS = 3
_SAMPLE = 64
_MAX_PASSES = 40
# Annealing steps per restart for small rounds, where greedy swaps stall in local minima.
_ANNEAL_STEPS = 20_000


@dataclass(frozen=True)
class Assignment:
    """A round's pairs (reviewer, reviewee), sorted, and the soft rules they could not keep.

    `reciprocity_forced` is True when the numbers alone make some units review each other: a
    unit needs 2·k different partners (k reviewers, k reviewees) but has fewer units outside its
    own line (see `reciprocity_forced`).
    """

    pairs: tuple[Pair, ...]
    problems: tuple[Reason, ...] = ()
    reciprocity_forced: bool = False

    @property
    def flagged_pairs(self) -> set[Pair]:
        """The pairs a problem names: both pairs of a reciprocal couple, each repeated pair."""
        flagged: set[Pair] = set()
        for reason in self.problems:
            a, b = reason.params["a"], reason.params["b"]
            flagged.add((a, b))
            if reason.code == "reciprocal":
                flagged.add((b, a))
        return flagged


def max_reviewers(paths: Mapping[int, str]) -> int:
    """The largest k every unit can be given: the fewest units outside any unit's own line."""
    ids = sorted(paths)
    if len(ids) < 2:
        return 0
    lines = _lines(ids, paths)
    return min(len(ids) - 1 - len(line) for line in lines)


def reciprocity_forced(paths: Mapping[int, str], k: int) -> bool:
    """True when some unit has fewer than 2·k units outside its line: it cannot review k units
    and be reviewed by k others without some of them being the same (a reciprocal pair)."""
    ids = sorted(paths)
    lines = _lines(ids, paths)
    return any(len(ids) - 1 - len(line) < 2 * k for line in lines)


def assign(
    paths: Mapping[int, str],
    k: int = 2,
    previous: Sequence[Iterable[Pair]] = (),
    *,
    seed: int,
) -> Assignment:
    """Assign each participating unit exactly `k` reviewers and exactly `k` reviewees.

    `paths` maps every participating unit id to its materialised path (`/1/3/7/`); a unit never
    reviews itself or a unit in its ancestor/descendant line. `previous` holds the pairs of
    earlier rounds, most recent round first. Reciprocal pairs and repeated pairs (weighted by
    recency, see `PREVIOUS_WEIGHTS`) are avoided where possible; those left are listed in
    `problems`. The same inputs and seed give the same assignment.

    Raises `DomainError` (code "impossible") when no assignment can keep the hard rules.
    """
    ids = sorted(paths)
    n = len(ids)
    previous = [set(round_pairs) for round_pairs in previous]
    if k < 1:
        raise DomainError(
            Reason(N_("Each unit needs at least one reviewer (asked for %(k)s)."),
                   {"k": k}, code="impossible")
        )
    if n - 1 < k:
        raise DomainError(
            Reason(N_("Only %(n)s units take part: "
                      "too few for each to be reviewed by %(k)s others."),
                   {"n": n, "k": k}, code="impossible")
        )
    lines = _lines(ids, paths)
    short = [i for i in range(n) if n - 1 - len(lines[i]) < k]
    if short:
        raise DomainError(*(
            Reason(N_("%(a)s has only %(count)s units outside its own line, "
                      "fewer than the %(k)s it must review."),
                   {"a": ids[i], "count": n - 1 - len(lines[i]), "k": k}, code="impossible")
            for i in short
        ))

    rng = random.Random(seed)
    search = _Search(n, k, lines, _previous_costs(ids, previous), rng)
    small = n * k <= _SMALL
    best: tuple[int, list[Pair]] | None = None
    for _ in range(_SMALL_RESTARTS if small else 1):
        search.start()
        search.descend()
        if search.hard_left() and not search.complete():
            raise DomainError(
                Reason(N_("The units outside each other's lines are too few for every unit to "
                          "have %(k)s reviewers; %(a)s cannot be given its full share."),
                       {"k": k, "a": ids[search.short_unit()]}, code="impossible")
            )
        search.descend()
        if small:
            search.anneal(_ANNEAL_STEPS)
        cost = search.total_cost()
        if best is None or cost < best[0]:
            best = (cost, search.edges())
        if cost == 0:
            break
    assert best is not None
    pairs = tuple(sorted((ids[a], ids[b]) for a, b in best[1]))
    return Assignment(pairs, tuple(_problems(pairs, previous)), reciprocity_forced(paths, k))


def validate_pair(
    reviewer: int,
    reviewee: int,
    paths: Mapping[int, str],
    pairs: Iterable[Pair] = (),
    previous: Sequence[Iterable[Pair]] = (),
) -> list[Reason]:
    """Every reason the pair (reviewer, reviewee) is bad next to the round's other `pairs`.

    Reasons whose code is in `HARD_CODES` (self, same_line, duplicate, unknown_unit) forbid the
    pair; the others (reciprocal, used_before) are warnings. An empty list means a clean pair.
    """
    unknown = [u for u in dict.fromkeys((reviewer, reviewee)) if u not in paths]
    if unknown:
        return [Reason(N_("%(a)s does not take part in this round."), {"a": u}, code="unknown_unit")
                for u in unknown]
    reasons: list[Reason] = []
    params = {"a": reviewer, "b": reviewee}
    if reviewer == reviewee:
        reasons.append(Reason(N_("%(a)s cannot review itself."), params, code="self"))
    elif _same_line(paths[reviewer], paths[reviewee]):
        reasons.append(Reason(N_("%(a)s and %(b)s are in one line: one is above the other."),
                              params, code="same_line"))
    current = set(pairs)
    if (reviewer, reviewee) in current:
        reasons.append(Reason(N_("%(a)s already reviews %(b)s in this round."),
                              params, code="duplicate"))
    if reviewer != reviewee and (reviewee, reviewer) in current:
        reasons.append(Reason(N_("%(a)s and %(b)s review each other."), params, code="reciprocal"))
    for ago, round_pairs in enumerate(previous, start=1):
        if (reviewer, reviewee) in set(round_pairs):
            reasons.append(Reason(N_("%(a)s reviewed %(b)s in a previous round."),
                                  {**params, "rounds_ago": ago}, code="used_before"))
            break
    return reasons


def override_pair(
    assignment_pairs: Iterable[Pair],
    old_pair: Pair,
    new_pair: Pair,
    paths: Mapping[int, str],
    previous: Sequence[Iterable[Pair]] = (),
    k: int | None = None,
) -> tuple[tuple[Pair, ...], list[Reason]]:
    """A leader replaces `old_pair` by `new_pair`: the new sorted pairs and the warnings.

    Refused with `DomainError` when `old_pair` is not in the round (code "unknown_pair") or when
    `new_pair` breaks a hard rule (self, same line, duplicate, unknown unit). Reciprocal and
    repeated pairs, and units whose load is no longer `k` (code "unbalanced"; `k` defaults to the
    round's usual load), are returned as warnings: an override is deliberate.
    """
    pairs = list(assignment_pairs)
    if old_pair not in pairs:
        raise DomainError(
            Reason(N_("%(a)s no longer reviews %(b)s in this round; reload the page."),
                   {"a": old_pair[0], "b": old_pair[1]}, code="unknown_pair")
        )
    if k is None:
        loads = Counter(Counter(a for a, _ in pairs).values())
        k = max(loads, key=lambda load: (loads[load], load))
    pairs.remove(old_pair)
    previous = [set(r) for r in previous]
    reasons = validate_pair(*new_pair, paths, pairs, previous)
    hard = [r for r in reasons if r.code in HARD_CODES]
    if hard:
        raise DomainError(*hard)
    pairs.append(new_pair)
    reviews = Counter(a for a, _ in pairs)
    reviewed = Counter(b for _, b in pairs)
    for unit in sorted({u for pair in (*pairs, old_pair) for u in pair}):
        if reviews[unit] != k:
            reasons.append(Reason(N_("%(a)s reviews %(count)s units instead of %(k)s."),
                                  {"a": unit, "count": reviews[unit], "k": k}, code="unbalanced"))
        if reviewed[unit] != k:
            reasons.append(Reason(N_("%(a)s is reviewed by %(count)s units instead of %(k)s."),
                                  {"a": unit, "count": reviewed[unit], "k": k}, code="unbalanced"))
    return tuple(sorted(pairs)), reasons


def _normal(path: str) -> str:
    return path if path.endswith("/") else path + "/"


def _same_line(p: str, q: str) -> bool:
    p, q = _normal(p), _normal(q)
    return p.startswith(q) or q.startswith(p)


def _lines(ids: list[int], paths: Mapping[int, str]) -> list[set[int]]:
    """For each unit (by index), the indices of the other units in its ancestor/descendant line.

    Walks each path's own prefixes instead of comparing every pair: linear in the tree's size.
    """
    norm = [_normal(paths[uid]) for uid in ids]
    by_path: dict[str, list[int]] = {}
    for i, path in enumerate(norm):
        by_path.setdefault(path, []).append(i)
    lines: list[set[int]] = [set() for _ in ids]
    for i, path in enumerate(norm):
        for j in by_path[path]:  # two units with one path are one line
            if j != i:
                lines[i].add(j)
        for cut in range(len(path) - 1):
            if path[cut] == "/":
                for j in by_path.get(path[: cut + 1], ()):
                    lines[i].add(j)
                    lines[j].add(i)
    return lines


def _previous_costs(ids: list[int], previous: Sequence[Iterable[Pair]]) -> dict[Pair, int]:
    """The cost of repeating each earlier pair (by unit index), summed over the rounds it was in."""
    index = {uid: i for i, uid in enumerate(ids)}
    costs: dict[Pair, int] = {}
    for ago, round_pairs in enumerate(previous):
        weight = PREVIOUS_WEIGHTS[min(ago, len(PREVIOUS_WEIGHTS) - 1)]
        for a, b in set(round_pairs):
            if a in index and b in index:
                key = (index[a], index[b])
                costs[key] = costs.get(key, 0) + weight
    return costs


def _problems(pairs: tuple[Pair, ...], previous: Sequence[Iterable[Pair]]) -> list[Reason]:
    present = set(pairs)
    problems = [
        Reason(N_("%(a)s and %(b)s review each other."), {"a": a, "b": b}, code="reciprocal")
        for a, b in pairs if a < b and (b, a) in present
    ]
    rounds = [set(r) for r in previous]
    for a, b in pairs:
        for ago, round_pairs in enumerate(rounds, start=1):
            if (a, b) in round_pairs:
                problems.append(Reason(N_("%(a)s reviewed %(b)s in a previous round."),
                                       {"a": a, "b": b, "rounds_ago": ago}, code="used_before"))
                break
    return problems


def _offsets(n: int, k: int, rng: random.Random) -> list[int]:
    """k distinct cyclic offsets, never both o and n - o (nor n/2) when n allows: no reciprocity."""
    half = (n - 1) // 2
    if k <= half:
        return [o if rng.random() < 0.5 else n - o for o in rng.sample(range(1, half + 1), k)]
    return rng.sample(range(1, n), k)


class _Search:
    """Local search over a k-regular set of edges (by unit index); swaps keep every degree k.

    A swap exchanges the reviewees of two edges, (a, b), (c, d) -> (a, d), (c, b), so in- and
    out-degrees never change; it is taken only when both new edges keep the hard rules.
    """

    def __init__(self, n: int, k: int, lines: list[set[int]], prev: dict[Pair, int],
                 rng: random.Random):
        self.n, self.k, self.lines, self.prev, self.rng = n, k, lines, prev, rng
        self.src: list[int] = []
        self.dst: list[int] = []
        self.present: set[Pair] = set()
        self._short: list[int] = []  # per unit, reviewees still missing after `complete`

    def start(self) -> None:
        """A fresh circulant over a shuffled order: balanced, no self pair, rarely reciprocal."""
        order = list(range(self.n))
        self.rng.shuffle(order)
        offsets = _offsets(self.n, self.k, self.rng)
        self.src = [order[i] for i in range(self.n) for _ in offsets]
        self.dst = [order[(i + o) % self.n] for i in range(self.n) for o in offsets]
        self.present = set(zip(self.src, self.dst))

    def edges(self) -> list[Pair]:
        return list(zip(self.src, self.dst))

    def _hard(self, a: int, b: int) -> bool:
        return a == b or b in self.lines[a]

    def _soft(self, a: int, b: int) -> int:
        return self.prev.get((a, b), 0) + (RECIPROCAL_WEIGHT if (b, a) in self.present else 0)

    def _cost(self, e: int) -> int:
        a, b = self.src[e], self.dst[e]
        # A hard conflict outweighs any soft one, so the search removes it first.
        return (1 << 20 if self._hard(a, b) else 0) + self._soft(a, b)

    def total_cost(self) -> int:
        prev = sum(self.prev.get(edge, 0) for edge in self.present)
        reciprocal = sum(1 for a, b in self.present if a < b and (b, a) in self.present)
        return prev + RECIPROCAL_WEIGHT * reciprocal

    def hard_left(self) -> bool:
        return any(self._hard(a, b) for a, b in zip(self.src, self.dst))

    def _swap_delta(self, e: int, f: int) -> int | None:
        """Cost change of swapping the reviewees of edges e and f; None if not allowed."""
        a, b, c, d = self.src[e], self.dst[e], self.src[f], self.dst[f]
        if a == c or b == d or self._hard(a, d) or self._hard(c, b):
            return None
        if (a, d) in self.present or (c, b) in self.present:
            return None
        # No removed or added edge is the reverse of another one in the swap (that would need a
        # self pair), so reciprocity can be read off the current set.
        return self._soft(a, d) + self._soft(c, b) - self._cost(e) - self._cost(f)

    def _swap(self, e: int, f: int) -> None:
        a, b, c, d = self.src[e], self.dst[e], self.src[f], self.dst[f]
        self.present -= {(a, b), (c, d)}
        self.present |= {(a, d), (c, b)}
        self.dst[e], self.dst[f] = d, b

    def descend(self) -> None:
        """Take the best improving swap for each costly edge until a pass improves nothing."""
        m = len(self.src)
        small = m <= _SMALL
        for _ in range(_MAX_PASSES):
            costly = [e for e in range(m) if self._cost(e) > 0]
            if not costly:
                return
            self.rng.shuffle(costly)
            improved = False
            for e in costly:
                if self._cost(e) == 0:  # an earlier swap in this pass fixed it
                    continue
                partners = range(m) if small else [self.rng.randrange(m) for _ in range(_SAMPLE)]
                best, best_f = 0, -1
                for f in partners:
                    delta = self._swap_delta(e, f)
                    if delta is not None and delta < best:
                        best, best_f = delta, f
                if best_f >= 0:
                    self._swap(e, best_f)
                    improved = True
            if not improved and (small or not self.hard_left()):
                return

    def anneal(self, steps: int) -> None:
        """Random swaps, accepting worse ones less and less often; ends in the best state seen.

        Call only on a state that keeps the hard rules: swaps never break them.
        """
        m = len(self.src)
        cost = best = self.total_cost()
        best_dst = list(self.dst)
        temperature = float(RECIPROCAL_WEIGHT)
        cooling = (0.05 / temperature) ** (1 / max(steps, 1))
        for _ in range(steps):
            if best == 0:
                break
            e, f = self.rng.randrange(m), self.rng.randrange(m)
            delta = self._swap_delta(e, f)
            if delta is not None and (
                delta <= 0 or self.rng.random() < math.exp(-delta / temperature)
            ):
                self._swap(e, f)
                cost += delta
                if cost < best:
                    best, best_dst = cost, list(self.dst)
            temperature *= cooling
        self.dst = best_dst
        self.present = set(zip(self.src, self.dst))

    def complete(self) -> bool:
        """Drop the edges that break hard rules and refill by augmenting paths (exact b-matching).

        Returns False when no refill exists, i.e. no assignment can keep the hard rules: a
        breadth-first search from every unit short of reviewees finds no augmenting path, so the
        flow is maximal and below n·k.
        """
        n = self.n
        keep = [(a, b) for a, b in zip(self.src, self.dst) if not self._hard(a, b)]
        self.present = set(keep)
        out_of: list[set[int]] = [set() for _ in range(n)]
        into: list[set[int]] = [set() for _ in range(n)]
        for a, b in keep:
            out_of[a].add(b)
            into[b].add(a)
        self._short[:] = [self.k - len(out_of[u]) for u in range(n)]
        in_short = [self.k - len(into[v]) for v in range(n)]
        order = list(range(n))
        self.rng.shuffle(order)
        while any(self._short):
            reached_from: dict[int, int] = {}  # reviewee -> reviewer that would take it
            freed_by: dict[int, int] = {}      # reviewer -> reviewee it would give up
            queue = deque(u for u in order if self._short[u] > 0)
            seen = set(queue)
            end = -1
            while queue and end < 0:
                u = queue.popleft()
                for v in order:
                    if v == u or v in reached_from or v in self.lines[u] or v in out_of[u]:
                        continue
                    reached_from[v] = u
                    if in_short[v] > 0:
                        end = v
                        break
                    for w in sorted(into[v]):  # sets: keep the seed's result reproducible
                        if w not in seen:
                            seen.add(w)
                            freed_by[w] = v
                            queue.append(w)
            if end < 0:
                return False
            in_short[end] -= 1
            v = end
            while True:
                u = reached_from[v]
                out_of[u].add(v)
                into[v].add(u)
                if u not in freed_by:
                    self._short[u] -= 1
                    break
                v = freed_by[u]
                out_of[u].discard(v)
                into[v].discard(u)
        self.src = [a for a in range(n) for _ in out_of[a]]
        self.dst = [b for a in range(n) for b in sorted(out_of[a])]
        self.present = set(zip(self.src, self.dst))
        return True

    def short_unit(self) -> int:
        """After a failed `complete`, one unit left without its full share of reviewees."""
        return next(u for u in range(self.n) if self._short[u] > 0)
