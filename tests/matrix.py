"""The vocabulary every permission matrix shares: the expectations, the roles and one check.

Each feature's matrix (route × role × in scope / taking part / neither) lists what it expects with
these names and asserts through `check`, so "reached the action" means the same everywhere.
"""

OK, DENY, MISSING = "ok", 403, 404
ROLES = ("admin", "leader", "secretary", "member")


def reached(status: int) -> bool:
    """The request reached the action: a page, a redirect after success, or a form answered with its
    validation messages or a refusal of the rules (409/422) — not a 403/404 of the access rules."""
    return status in (200, 302, 409, 422)


def check(status: int, expected, who: str, what: str) -> None:
    """Assert that `who` got what the matrix expects on `what`: reached it (OK) or the expected status."""
    if expected == OK:
        assert reached(status), f"{who} should reach {what}, got {status}"
    else:
        assert status == expected, f"{who} on {what}: got {status}, expected {expected}"
