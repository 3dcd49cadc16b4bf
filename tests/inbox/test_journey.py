"""The story: a leader's action tells the branch secretary; she sees the count, opens the record, reads it."""

import re

from tracker.extensions import db
from tracker.inbox.operations import notify
from tracker.models import Event, OrgUnit, User

from .channels_support import SmtpServer


def unread_badge(html: str) -> str | None:
    match = re.search(r'<span id="inbox-count"[^>]*>\s*(?:<span class="badge"[^>]*>(\d+))?', html)
    assert match, "no unread count in the navigation"
    return match.group(1)


def test_a_leaders_notice_reaches_the_secretarys_inbox_and_leaves_it_when_read(app, client, login, people, in_db,
                                                                              monkeypatch):
    leader, sec, unit = people["leader"], people["sec"], people["unit"]

    # The secretary asks for e-mail too.
    login(sec)
    assert client.post("/inbox/settings", data={"events": ["assigned", "supervise"], "by_email": "y",
                                                "email": "sec@example.gov.cn"}).status_code == 302
    assert unread_badge(client.get("/home").get_data(as_text=True)) is None

    # The leader's operation (as the ledger's and projects' will) tells her, and nobody else.
    with SmtpServer() as smtp:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
        in_db(lambda: notify(db.session.get(User, leader.id), [db.session.get(User, sec.id)], Event.assigned,
                             db.session.get(OrgUnit, unit.id), params={"note": "请牵头落实"}))
    assert [m["To"] for m in smtp.messages] == ["sec@example.gov.cn"]

    # Her next page shows one unread; the inbox lists it, linked to the record.
    assert unread_badge(client.get("/home").get_data(as_text=True)) == "1"
    inbox = client.get("/inbox/").get_data(as_text=True)
    notice_id = int(re.search(r'id="notification-(\d+)" class="notice-row unread"', inbox).group(1))
    assert f'href="/orgs/{unit.id}"' in inbox and "请牵头落实" in inbox
    assert client.get(f"/orgs/{unit.id}").status_code == 200

    # The member of her branch has nothing; the leader, who acted, has nothing either.
    login(people["member"])
    assert "notice-row" not in client.get("/inbox/").get_data(as_text=True)
    login(leader)
    assert "notice-row" not in client.get("/inbox/").get_data(as_text=True)

    # She reads it: the count drops to nothing, the row stays, no longer unread.
    login(sec)
    answer = client.post(f"/inbox/{notice_id}/read", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert unread_badge(answer) is None and f'id="notification-{notice_id}" class="notice-row"' in answer
    page = client.get("/inbox/").get_data(as_text=True)
    assert unread_badge(page) is None and f'id="notification-{notice_id}"' in page
