"""Benchmark: peer-review assignment of a 3,000-unit organisation with k=3 and 4 earlier rounds."""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.reviews.assignment import Assignment, assign  # noqa: E402

UNITS = 3000
GENERAL_BRANCHES = 30
RUNS = 5
K = 3


def build_tree(seed: int = 2026) -> dict[int, str]:
    """1 党委, 30 党总支 of uneven size, and branches: most under a 总支, a few directly under it."""
    rng = random.Random(seed)
    paths = {1: "/1/"}
    generals = list(range(2, 2 + GENERAL_BRANCHES))
    for g in generals:
        paths[g] = f"/1/{g}/"
    sizes = [rng.uniform(0.3, 3.0) for _ in generals]  # some 总支 hold far more branches
    for unit in range(2 + GENERAL_BRANCHES, UNITS + 1):
        if rng.random() < 0.05:
            paths[unit] = f"/1/{unit}/"  # 直属党支部
        else:
            g = rng.choices(generals, weights=sizes)[0]
            paths[unit] = f"/1/{g}/{unit}/"
    return paths


def bench(name: str, paths: dict[int, str]) -> dict[str, float]:
    """Time `assign` over RUNS seeds after 4 earlier rounds made by the module itself."""
    previous: list[tuple[tuple[int, int], ...]] = []
    for seed in range(4):
        previous.insert(0, assign(paths, K, previous, seed=seed).pairs)  # most recent first
    times: list[float] = []
    result: Assignment | None = None
    for run in range(RUNS):
        start = time.perf_counter()
        result = assign(paths, K, previous, seed=100 + run)
        times.append(time.perf_counter() - start)
    assert result is not None
    median = statistics.median(times)
    print(f"{name}: {len(paths)} units, k={K}, 4 previous rounds, {RUNS} runs: "
          f"median {median:.3f} s (min {min(times):.3f}, max {max(times):.3f}), "
          f"soft problems in the last run: {len(result.problems)}")
    return {"units": len(paths), "median_s": median, "problems": len(result.problems)}


def main() -> None:
    tree = build_tree()
    # The 党委 is in every unit's line, so it never takes part in peer review.
    bench("总支 and branches", {u: p for u, p in tree.items() if u != 1})
    parents = {p.rsplit("/", 2)[0] + "/" for p in tree.values()}
    leaves = {u: p for u, p in tree.items() if p not in parents}
    bench("branches only", leaves)


if __name__ == "__main__":
    main()
