"""Search as each person sees it: only what they cover or take part in, grouped by kind."""

from datetime import date

import pytest

from tracker.extensions import db
from tracker.ledger import operations as ledger_ops
from tracker.models import ItemSource, OrgUnit, Role, User
from tracker.projects import operations as project_ops


@pytest.fixture
def world(make_unit, make_user, in_db):
    root = make_unit("机关党委")
    b1, b2 = make_unit("第一党支部", root), make_unit("第二党支部", root)
    people = {
        "leader": make_user("leader", root, Role.leader),
        "sec1": make_user("sec1", b1, Role.secretary),
        "sec2": make_user("sec2", b2, Role.secretary),
        "member2": make_user("member2", b2, Role.member),
    }

    def records():
        get = lambda u: db.session.get(User, u.id)  # noqa: E731
        unit = lambda u: db.session.get(OrgUnit, u.id)  # noqa: E731
        own = project_ops.create_project(None, title="党员先锋岗创建", unit=unit(b1), owner=get(people["sec1"]),
                                         start_date=date(2026, 10, 1), due_date=date(2026, 12, 31))
        other = project_ops.create_project(None, title="党员积分制管理试点", unit=unit(b2), owner=get(people["sec2"]),
                                           start_date=date(2026, 10, 1), due_date=date(2026, 12, 31))
        joined = project_ops.create_project(None, title="先锋示范窗口", unit=unit(b2), owner=get(people["sec2"]),
                                            start_date=date(2026, 10, 1), due_date=date(2026, 12, 31),
                                            participants=[get(people["sec1"])])
        item = ledger_ops.create_item(get(people["leader"]), unit=unit(b2), problem="支委会会议记录不完整，缺少签到表",
                                      source=ItemSource.review, owner=get(people["member2"]),
                                      verifier=get(people["sec1"]), deadline=date(2026, 12, 31))
        hidden = ledger_ops.create_item(get(people["leader"]), unit=unit(b2), problem="党费收缴台账不清",
                                        source=ItemSource.inspection, owner=get(people["member2"]),
                                        deadline=date(2026, 12, 31))
        return {"own": own.code, "other": other.code, "joined": joined.code, "item": item.code, "hidden": hidden.code}

    return {"people": people, "codes": in_db(records)}


def results(client, q, **headers):
    """The status and the results section of a search (the box and the navigation left out)."""
    response = client.get("/search", query_string={"q": q}, headers=headers)
    page = response.get_data(as_text=True)
    start = page.index('<section id="search-results"')
    return response.status_code, page[start:page.index("</section>\n", start)] if "<html" in page else page


def test_a_secretary_finds_her_projects_and_those_she_takes_part_in_by_part_of_the_title(client, login, world):
    login(world["people"]["sec1"])
    status, page = results(client, "先锋")
    assert status == 200
    assert "党员先锋岗创建" in page and "先锋示范窗口" in page  # her branch's, and one of another she joined
    status, page = results(client, "积分制")
    assert "党员积分制管理试点" not in page and "Nothing you may see matches" not in page  # zh by default
    assert "没有" in page


def test_the_verifier_in_another_branch_finds_the_item_she_verifies_and_nothing_else_there(client, login, world):
    login(world["people"]["sec1"])
    _, page = results(client, "签到表")
    assert world["codes"]["item"] in page
    _, page = results(client, world["codes"]["hidden"])
    assert "党费收缴台账不清" not in page


def test_codes_units_and_people_are_found_in_scope(client, login, world):
    login(world["people"]["leader"])
    _, page = results(client, world["codes"]["other"].lower())
    assert "党员积分制管理试点" in page
    _, page = results(client, "第二")
    assert "第二党支部" in page
    _, page = results(client, "member")
    assert "member2" in page
    login(world["people"]["sec1"])
    _, page = results(client, "第二")
    assert "第二党支部" not in page


def test_wildcards_are_matched_literally(client, login, world):
    login(world["people"]["leader"])
    _, page = results(client, "%")
    assert "党员先锋岗创建" not in page and "没有" in page


def test_an_overlong_query_is_refused_beside_the_field(client, login, world):
    login(world["people"]["leader"])
    response = client.get("/search", query_string={"q": "党" * 101})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="q-error"' in page and "100" in page


def test_typing_swaps_only_the_results(client, login, world, htmx_headers):
    login(world["people"]["leader"])
    response = client.get("/search", query_string={"q": "先锋"}, headers=htmx_headers)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and fragment.lstrip().startswith('<section id="search-results"')
    assert "<html" not in fragment and "党员先锋岗创建" in fragment


def test_the_page_reads_in_english(client, login, world):
    login(world["people"]["leader"])
    client.post("/language", data={"locale": "en", "next": "/"})
    _, page = results(client, "不存在的东西")
    assert "Nothing you may see matches" in page


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/search?q=支部")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
