"""Meeting pages: the permission matrix (route × role × in scope / participant / neither), bad input
answered beside its field with nothing lost, the list's filters and the summary."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from matrix import DENY, MISSING, OK, check
from support import form_data
from tracker.clock import local_today
from tracker.extensions import db
from tracker.models import Attendance, Meeting, MeetingAttendance, MeetingKind, MeetingState, OrgUnit, User

ALL = {"admin": OK, "leader": OK, "secretary": OK, "member": OK}
RECORDERS = {"admin": OK, "leader": OK, "secretary": OK, "member": DENY}
DECIDERS = {"admin": OK, "leader": OK, "secretary": DENY, "member": DENY}

# (name, method, path after /meetings/<id>, state, {role: expected in scope}, what a participant gets)
ITEM_ROUTES = [
    ("record page", "GET", "", MeetingState.draft, ALL, OK),
    ("print", "GET", "/print", MeetingState.approved, ALL, OK),
    ("edit form", "GET", "/edit", MeetingState.draft, RECORDERS, DENY),
    ("edit", "POST", "/edit", MeetingState.returned, RECORDERS, DENY),
    ("correction form", "GET", "/edit", MeetingState.approved, RECORDERS, DENY),
    ("submit", "POST", "/submit", MeetingState.draft, RECORDERS, DENY),
    ("return", "POST", "/return", MeetingState.submitted, DECIDERS, DENY),
    ("approve", "POST", "/approve", MeetingState.submitted, DECIDERS, DENY),
    ("evidence", "POST", "/evidence", MeetingState.draft, RECORDERS, DENY),
]

PAGES = [
    ("GET", "/meetings/", ALL),
    ("GET", "/meetings/?kind=committee&period=2026Q4&state=approved", ALL),
    ("GET", "/meetings/summary", ALL),
    ("GET", "/meetings/summary?year=2026", ALL),
    ("GET", "/meetings/summary.xlsx?year=2026&quarter=4", ALL),
    ("GET", "/meetings/new", RECORDERS),
    ("POST", "/meetings/new", RECORDERS),
]


@pytest.fixture
def meetings(in_db, perm_world, make_meeting):
    """One record per scope and state: meetings[scope][state] → id. "part" records sit in the
    stranger's branch and list every matrix user as attending."""
    ids = {}
    for scope in ("in", "out", "part"):
        unit = perm_world.unit("in" if scope == "in" else "out")
        ids[scope] = {state: make_meeting(unit, [perm_world.person("in" if scope == "in" else "out")], state=state)
                      for state in MeetingState}

    def take_part():
        for meeting_id in ids["part"].values():
            for role in ("admin", "leader", "secretary", "member"):
                db.session.add(MeetingAttendance(meeting_id=meeting_id, user_id=perm_world.users[role].id,
                                                 status=Attendance.present))

    in_db(take_part)
    return ids


def _status(code: int) -> object:
    return code if code in (403, 404) else OK


@pytest.mark.parametrize("role", ["admin", "leader", "secretary", "member"])
@pytest.mark.parametrize("name, method, path, state, expected, participant", ITEM_ROUTES,
                         ids=[r[0] for r in ITEM_ROUTES])
def test_record_routes(access, meetings, role, name, method, path, state, expected, participant):
    for scope, want in (("in", expected[role]), ("out", MISSING), ("part", participant)):
        url = f"/meetings/{meetings[scope][state]}{path}"
        check(access(role, method, url), want, f"{role} ({scope})", f"{method} {url}")


@pytest.mark.parametrize("name, method, path, state, expected, participant", ITEM_ROUTES,
                         ids=[r[0] for r in ITEM_ROUTES])
def test_anonymous_users_go_to_the_login_page(access, meetings, name, method, path, state, expected, participant):
    assert access(None, method, f"/meetings/{meetings['in'][state]}{path}") == 302


@pytest.mark.parametrize("role", ["admin", "leader", "secretary", "member"])
@pytest.mark.parametrize("method, url, expected", PAGES, ids=[p[1] for p in PAGES])
def test_pages(access, role, method, url, expected):
    check(access(role, method, url), expected[role], role, f"{method} {url}")


def test_the_list_shows_only_what_the_user_sees(app, login, client, perm_world, meetings):
    login(perm_world.users["member"])
    page = client.get("/meetings/").get_data(as_text=True)
    ids = {int(i) for i in re.findall(r'id="meeting-(\d+)"', page)}
    assert ids == set(meetings["in"].values()) | set(meetings["part"].values())
    login(perm_world.users["outsider"])  # a leader of the stranger's committee
    page = client.get("/meetings/").get_data(as_text=True)
    ids = {int(i) for i in re.findall(r'id="meeting-(\d+)"', page)}
    assert ids == set(meetings["out"].values()) | set(meetings["part"].values())


def test_filters_by_kind_state_and_period(login, client, perm_world, make_meeting):
    unit = perm_world.unit("in")
    lecture = make_meeting(unit, kind=MeetingKind.lecture, speaker="王书记", lecture_title="党章",
                           state=MeetingState.approved)
    committee = make_meeting(unit, kind=MeetingKind.committee)
    old = make_meeting(unit, kind=MeetingKind.lecture, speaker="王书记", lecture_title="党史",
                       held_on=local_today() - timedelta(days=400), state=MeetingState.approved)
    login(perm_world.users["secretary"])

    def listed(query):
        page = client.get(f"/meetings/?{query}").get_data(as_text=True)
        return {int(i) for i in re.findall(r'id="meeting-(\d+)"', page)}

    assert listed("kind=lecture") == {lecture, old}
    assert listed("state=draft") == {committee}
    assert listed(f"kind=lecture&period={local_today().year}") == {lecture} or local_today().month == 1
    fragment = client.get("/meetings/?kind=committee", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="meetings-table"')


def _new_form(client, changes):
    data = form_data(client.get("/meetings/new").get_data(as_text=True), "/meetings/new")
    data.update({"kind": "general_meeting", "held_on": local_today().isoformat(), "topics": "学习党章"})
    data.update(changes)
    return client.post("/meetings/new", data=data)


def test_a_future_date_is_refused_beside_the_date_and_nothing_is_lost(login, client, perm_world, in_db):
    login(perm_world.users["secretary"])
    response = _new_form(client, {"held_on": (local_today() + timedelta(days=3)).isoformat(),
                                  "topics": "我写下的议题"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="held_on-error">[^<]*(future|晚于今天)', page)
    assert "我写下的议题" in page
    assert in_db(lambda: db.session.scalar(sa.select(sa.func.count(Meeting.id)))) == 0


def test_attendance_beyond_the_branch_is_refused(login, client, perm_world):
    login(perm_world.users["secretary"])
    response = _new_form(client, {f"att-{perm_world.users['stranger'].id}": "present"})
    assert response.status_code == 422
    assert 'id="attendance-error"' in response.get_data(as_text=True)


def test_a_lecture_needs_its_speaker(login, client, perm_world):
    login(perm_world.users["secretary"])
    response = _new_form(client, {"kind": "lecture", "lecture_title": "党章"})
    assert response.status_code == 422
    assert 'id="speaker-error"' in response.get_data(as_text=True)


def test_an_approved_record_edited_without_a_reason_is_refused(login, client, perm_world, make_meeting):
    meeting_id = make_meeting(perm_world.unit("in"), [perm_world.users["member"]], state=MeetingState.approved)
    login(perm_world.users["secretary"])
    url = f"/meetings/{meeting_id}/edit"
    data = form_data(client.get(url).get_data(as_text=True), url)
    data["place"] = "新地点"
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert 'id="reason-error"' in response.get_data(as_text=True)
    data["reason"] = "地点写错"
    assert client.post(url, data=data).status_code == 302
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "地点写错" in page and "新地点" in page


def test_the_people_fragment_follows_the_chosen_branch(login, client, perm_world):
    login(perm_world.users["leader"])
    b2 = perm_world.units["b2"]
    page = client.get(f"/meetings/people?unit_id={b2.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="meeting-people"' in page
    assert f'att-{perm_world.users["member"].id}' not in page
    assert client.get(f"/meetings/people?unit_id={perm_world.units['bx'].id}").status_code == 404


def test_the_summary_counts_approved_records_and_rolls_up(login, client, perm_world, make_meeting):
    for state in (MeetingState.approved, MeetingState.submitted):
        make_meeting(perm_world.unit("in"), state=state)
    login(perm_world.users["admin"])
    page = client.get("/meetings/summary").get_data(as_text=True)
    b1, g1 = perm_world.units["b1"].id, perm_world.units["g1"].id
    row = re.search(rf'id="summary-{b1}".*?</tr>', page, re.S).group(0)
    assert re.search(r'kind=general_meeting">1</a>', row)
    subtotal = re.search(rf'<tr class="subtotal" id="summary-{g1}".*?</tr>', page, re.S).group(0)
    assert re.search(r'kind=general_meeting">1</a>', subtotal)
    assert perm_world.units["bx"].name not in page
    sheet = client.get("/meetings/summary.xlsx")
    assert sheet.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(sheet.data)).active
    names = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    assert any("一支部" in (n or "") for n in names)


def test_home_unit_and_person_pages_show_organisational_life(login, client, perm_world, make_meeting):
    member = perm_world.users["member"]
    make_meeting(perm_world.unit("in"), [member], state=MeetingState.returned)
    make_meeting(perm_world.unit("in"), [member], state=MeetingState.submitted)
    make_meeting(perm_world.unit("in"), [member], state=MeetingState.approved)
    login(perm_world.users["secretary"])
    home = client.get("/home").get_data(as_text=True)
    assert 'id="meetings-widget"' in home and "state=returned" in home and "state=submitted" not in home
    login(perm_world.users["leader"])
    home = client.get("/home").get_data(as_text=True)
    assert "state=submitted" in home
    unit_page = client.get(f"/orgs/{perm_world.units['b1'].id}").get_data(as_text=True)
    assert 'id="meetings-unit-panel"' in unit_page
    person = client.get(f"/users/{member.id}").get_data(as_text=True)
    panel = re.search(r'id="meetings-person-panel".*?</section>', person, re.S).group(0)
    assert len(re.findall(r'href="/meetings/\d+"', panel)) == 3


@pytest.mark.parametrize("role, page, save", [("admin", 200, OK), ("leader", 200, DENY), ("secretary", 200, DENY),
                                              ("member", 200, DENY)])
def test_cadence_page_and_who_saves_it(access, role, page, save):
    assert access(role, "GET", "/meetings/cadence") == page
    assert _status(access(role, "POST", "/meetings/cadence", {"committee": "quarterly"})) == save
    assert _status(access(role, "POST", "/meetings/exemptions", {})) == save


def test_an_admin_excuses_a_branch_and_withdraws_it(login, client, perm_world, in_db):
    login(perm_world.users["admin"])
    b1 = perm_world.units["b1"]
    data = form_data(client.get("/meetings/cadence").get_data(as_text=True), "/meetings/exemptions")
    data.update({"unit_id": str(b1.id), "starts_on": "2026-10-01", "ends_on": "2026-09-01", "reason": "新成立"})
    refused = client.post("/meetings/exemptions", data=data)
    assert refused.status_code == 422 and 'id="ends_on-error"' in refused.get_data(as_text=True)
    data["ends_on"] = "2026-12-31"
    assert client.post("/meetings/exemptions", data=data).status_code == 302
    page = client.get("/meetings/cadence").get_data(as_text=True)
    exemption_id = int(re.search(r'id="exemption-(\d+)"', page).group(1))
    login(perm_world.users["outsider"])
    assert client.post(f"/meetings/exemptions/{exemption_id}/delete", data={}).status_code == 404
    login(perm_world.users["admin"])
    assert client.post(f"/meetings/exemptions/{exemption_id}/delete", data={}).status_code == 302
    assert not re.search(r'id="exemption-\d+"', client.get("/meetings/cadence").get_data(as_text=True))


def test_a_large_summary_lists_the_general_branches_and_opens_each(login, client, perm_world, make_meeting,
                                                                   monkeypatch):
    from tracker.meetings import views_summary

    monkeypatch.setattr(views_summary, "SUMMARY_ROW_LIMIT", 2)
    login(perm_world.users["admin"])
    page = client.get("/meetings/summary").get_data(as_text=True)
    listed = set(re.findall(r'id="summary-(\d+)"', page))
    assert listed == {str(perm_world.units["g1"].id), str(perm_world.units["g2"].id)}
    g1 = perm_world.units["g1"].id
    assert f"unit={g1}" in page
    monkeypatch.setattr(views_summary, "SUMMARY_ROW_LIMIT", 300)
    page = client.get(f"/meetings/summary?unit={g1}").get_data(as_text=True)
    listed = set(re.findall(r'id="summary-(\d+)"', page))
    assert listed == {str(perm_world.units[k].id) for k in ("g1", "b1", "b2")}
    assert client.get(f"/meetings/summary?unit={perm_world.units['bx'].id}").status_code == 404
