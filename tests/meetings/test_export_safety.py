"""The meetings summary's Excel keeps a formula-like unit name as text, like every export."""

from __future__ import annotations

from reviews.test_export_safety import assert_no_formula


def test_the_summary_sheet_runs_no_formula(login, client, perm_world, make_unit):
    make_unit("=1+2", perm_world.units["root"])
    make_unit("@SUM(A1)", perm_world.units["root"])
    login(perm_world.users["admin"])
    sheet = client.get("/meetings/summary.xlsx")
    assert sheet.status_code == 200
    assert_no_formula(sheet.data, "=1+2", "@SUM(A1)")
