"""The demo's year of organisational life: the four 三会一课 kinds on a secretary's list, gaps and a
returned record on the leader's summary."""

from __future__ import annotations

import re

from support import Person
from tracker.demo import DEMO_PASSWORD, seed_demo


def test_the_demo_shows_a_year_of_meetings_with_gaps(app, in_db):
    in_db(lambda: seed_demo(echo=lambda _text: None))
    secretary = Person(app, "sec1", DEMO_PASSWORD)
    for kind in ("general_meeting", "committee", "group", "lecture"):
        page = secretary.get(f"/meetings/?kind={kind}")
        assert re.search(r'id="meeting-\d+"', page), kind
    assert re.search(r'id="meeting-\d+"', secretary.get("/meetings/?state=returned"))
    leader = Person(app, "leader", DEMO_PASSWORD)
    summary = leader.get("/meetings/summary")
    rows = re.findall(r'<tr class="[^"]*" id="summary-\d+">', summary)
    assert len(rows) == 6 + 2  # six branches, two 党总支 subtotals
    rate = re.search(r'id="completion-rate">.*?<strong>([\d.]+)%', summary, re.S)
    assert rate and 0 < float(rate.group(1)) < 100
    assert leader.client.get("/meetings/summary.xlsx").status_code == 200
