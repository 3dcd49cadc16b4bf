"""The inbox page, the unread badge on every page, marking read (with and without htmx), the settings."""

import re

import pytest

from tracker.extensions import db
from tracker.models import Event, User

from .conftest import notices_of


def badge(html: str) -> str | None:
    match = re.search(r'<span id="inbox-count"[^>]*>\s*(?:<span class="badge"[^>]*>(\d+))?', html)
    assert match, "no unread badge in the navigation"
    return match.group(1)


def test_the_inbox_lists_newest_first_unread_marked_each_linked_to_its_record(client, login, people, send):
    send(people["leader"], [people["sec"]], Event.assigned, subject_unit=people["unit"])
    send(None, [people["sec"]], Event.supervise, subject_unit=people["unit"], params={"note": "逾期14天"})
    login(people["sec"])
    page = client.get("/inbox/").get_data(as_text=True)
    assert page.index("督办") < page.index("分配给你")  # newest first
    assert page.count('class="notice-row unread"') == 2
    assert f'href="/orgs/{people["unit"].id}"' in page and "逾期14天" in page
    assert badge(page) == "2"


def test_the_unread_count_is_on_every_page_and_served_alone_for_polling(client, login, people, send):
    send(None, [people["sec"]], subject_unit=people["unit"])
    login(people["sec"])
    assert badge(client.get("/orgs/").get_data(as_text=True)) == "1"
    fragment = client.get("/inbox/count", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 60s"' in fragment and badge(fragment) == "1"
    login(people["member"])
    assert badge(client.get("/orgs/").get_data(as_text=True)) is None


def test_marking_one_read_without_javascript(client, login, people, send, app):
    notice, = send(None, [people["sec"]], subject_unit=people["unit"])
    login(people["sec"])
    response = client.post(f"/inbox/{notice.id}/read")
    assert response.status_code == 302 and response.location.endswith("/inbox/")
    assert badge(client.get("/inbox/").get_data(as_text=True)) is None


def test_marking_one_read_with_htmx_swaps_the_row_and_the_count(client, login, people, send, htmx_headers):
    first, _second = send(None, [people["sec"]], subject_unit=people["unit"])[0], \
        send(None, [people["sec"]], Event.overdue, subject_unit=people["unit"])[0]
    login(people["sec"])
    body = client.post(f"/inbox/{first.id}/read", headers=htmx_headers).get_data(as_text=True)
    assert f'id="notification-{first.id}" class="notice-row"' in body
    assert 'hx-swap-oob="true"' in body and badge(body) == "1"


def test_mark_all_read(client, login, people, send, htmx_headers, app):
    for event in (Event.assigned, Event.overdue, Event.returned):
        send(None, [people["sec"]], event, subject_unit=people["unit"])
    login(people["sec"])
    body = client.post("/inbox/read-all", headers=htmx_headers).get_data(as_text=True)
    assert 'id="inbox-list"' in body and "unread" not in body.split('id="inbox-count"')[0] and badge(body) is None
    with app.app_context():
        assert not any(n.is_unread for n in notices_of(people["sec"]))


def test_settings_choose_events_and_email(client, login, people, app):
    login(people["member"])
    assert client.get("/inbox/settings").status_code == 200
    response = client.post("/inbox/settings", data={"events": ["assigned", "overdue"], "by_email": "y",
                                                     "email": "member@example.gov.cn"})
    assert response.status_code == 302
    with app.app_context():
        member = db.session.get(User, people["member"].id)
        from tracker.inbox.queries import settings_of, wanted_events

        assert member.email == "member@example.gov.cn"
        assert wanted_events(settings_of(member)) == ["assigned", "overdue"] and settings_of(member).by_email
    assert client.post("/inbox/settings", data={"by_email": "y", "email": ""}).status_code == 422
    assert client.post("/inbox/settings", data={"email": "not an address"}).status_code == 422


@pytest.mark.parametrize("method, url", [("get", "/inbox/"), ("get", "/inbox/count"), ("get", "/inbox/settings"),
                                         ("post", "/inbox/read-all")])
def test_anonymous_people_are_sent_to_log_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/login" in response.location


def test_an_administrator_sets_the_units_robot_from_its_page(client, login, make_user, people, app):
    from tracker.models import OrgUnit, Role, WebhookKind

    admin = make_user("adm", people["unit"], Role.admin)
    login(admin)
    unit_page = client.get(f"/orgs/{people['unit'].id}").get_data(as_text=True)
    assert f'/inbox/units/{people["unit"].id}/robot' in unit_page
    url = f"/inbox/units/{people['unit'].id}/robot"
    assert client.post(url, data={"kind": "dingtalk", "url": "ftp://nope"}).status_code == 422
    assert client.post(url, data={"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=a",
                                  "secret": "SEC1"}).status_code == 302
    assert client.post(url, data={"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=b",
                                  "secret": ""}).status_code == 302
    with app.app_context():
        unit = db.session.get(OrgUnit, people["unit"].id)
        assert (unit.webhook_kind, unit.webhook_url[-1], unit.webhook_secret) == (WebhookKind.dingtalk, "b", "SEC1")
    assert "SEC1" not in client.get(url).get_data(as_text=True)
    login(people["sec"])
    assert f'/inbox/units/{people["unit"].id}/robot' not in client.get(f"/orgs/{people['unit'].id}").get_data(as_text=True)
