"""One rule on every path: an item's verifier (验收人) is never its owner, and its owner never verifies it.

Naming the people (create, bulk entry, edit, import) and verifying (return, close, reopen, extension
decisions), a leader who owns an item included.
"""

from datetime import timedelta

import pytest

from tracker.ledger import operations as ops
from tracker.clock import local_today
from tracker.extensions import db
from tracker.models import AttachmentKind, ExtensionRequest, ItemStatus, User

from ledger.ledger_support import get, load, png
from ledger.test_ledger_excel import _sheet

SAME = "验收人不能是责任人本人"


def _new_form(world, **overrides):
    data = {"unit_id": world.branch.id, "problem": "党费收缴不及时", "source": "self_check", "severity": "normal",
            "owner_id": world.owner.id, "verifier_id": world.owner.id, "responsible_leader_id": "None",
            "deadline_kind": "date", "deadline": (local_today() + timedelta(days=30)).isoformat()}
    data.update(overrides)
    return data


def _beside_verifier(response) -> bool:
    page = response.get_data(as_text=True)
    return 'id="verifier_id-error"' in page and SAME in page.split('id="verifier_id-error"', 1)[1][:200]


def test_create_refuses_the_owner_as_verifier_beside_the_field(client, login, world):
    login(world.secretary)
    response = client.post("/ledger/new", data=_new_form(world))
    assert response.status_code == 422 and _beside_verifier(response)
    assert '党费收缴不及时' in response.get_data(as_text=True)  # nothing typed is lost


def test_bulk_entry_refuses_the_owner_as_verifier(client, login, world):
    login(world.secretary)
    response = client.post("/ledger/bulk", data={
        "unit_id": world.branch.id, "source": "self_check", "owner_id": world.owner.id,
        "verifier_id": world.owner.id, "deadline": (local_today() + timedelta(days=30)).isoformat(),
        "lines": "问题一\n问题二"})
    assert response.status_code == 422 and _beside_verifier(response)


@pytest.mark.parametrize("change", ["verifier becomes the owner", "owner becomes the verifier"])
def test_an_edit_cannot_make_the_owner_the_verifier(client, login, world, new_item, in_db, change):
    item_id = new_item()
    login(world.secretary)
    owner, verifier = ((world.owner.id, world.owner.id) if change == "verifier becomes the owner"
                       else (world.verifier.id, world.verifier.id))
    response = client.post(f"/ledger/{item_id}/edit", data={
        "version": "1", "source": "self_check", "problem": "改过的描述", "owner_id": owner, "verifier_id": verifier,
        "responsible_leader_id": "None", "severity": "normal"})
    assert response.status_code == 422 and _beside_verifier(response)
    assert in_db(lambda: (load(item_id).owner_id, load(item_id).verifier_id)) == (world.owner.id, world.verifier.id)


def test_import_names_the_row_whose_owner_is_its_verifier(client, login, world, in_db):
    login(world.leader)
    response = client.post("/ledger/import", data={"file": (_sheet([
        {"序号": 1, "问题来源": "自查", "责任单位(被检查单位)": "办公室党支部", "问题描述": "谈心谈话记录简单",
         "整改时限": "2026-12-31", "责任人": "lw_owner", "验收人": "lw_owner"}]), "台账.xlsx")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "第2行" in page and SAME in page


@pytest.fixture
def leaders_own_item(new_item, in_db, world, app):
    """A submitted item the leader owns herself (no verifier named: a leader over the unit verifies)."""
    item_id = new_item(owner=world.leader, verifier=None)

    def submit():
        with app.test_request_context():
            ops.add_evidence(get(User, world.leader), load(item_id), png(), AttachmentKind.photo)
        ops.submit_item(get(User, world.leader), load(item_id), note="已整改")

    in_db(submit)
    return item_id


@pytest.mark.parametrize("step,data", [("return", {"return-reason": "再补充"}), ("close", {"opinion": "同意销号"})])
def test_a_leader_who_owns_an_item_does_not_verify_it(client, login, world, leaders_own_item, in_db, step, data):
    login(world.leader)
    page = client.get(f"/ledger/{leaders_own_item}").get_data(as_text=True)
    assert 'id="close-form"' not in page and 'id="return-form"' not in page and 'id="owner-verifies"' in page
    response = client.post(f"/ledger/{leaders_own_item}/{step}", data=data)
    assert response.status_code == 403
    assert in_db(lambda: load(leaders_own_item).status) is ItemStatus.submitted


def test_another_leader_verifies_what_a_leader_owns(client, login, world, leaders_own_item, make_user, in_db):
    from tracker.models import Role

    other = make_user("lw_leader2", world.root, Role.leader)
    login(other)
    assert client.post(f"/ledger/{leaders_own_item}/close", data={"opinion": "同意销号"}).status_code == 302
    assert in_db(lambda: load(leaders_own_item).status) is ItemStatus.closed
    login(world.leader)
    assert client.post(f"/ledger/{leaders_own_item}/reopen", data={"reopen-reason": "回头看"}).status_code == 403


def test_the_owner_does_not_decide_on_the_extension_of_her_own_item(client, login, world, new_item, in_db):
    item_id = new_item(owner=world.leader, verifier=None)
    request_id = in_db(lambda: ops.request_extension(get(User, world.leader), load(item_id),
                                                     new_deadline=local_today() + timedelta(days=60),
                                                     reason="需要上级审核").id)
    login(world.leader)
    response = client.post(f"/ledger/{item_id}/extensions/{request_id}", data={"decision": "approve"})
    assert response.status_code == 403
    assert in_db(lambda: db.session.get(ExtensionRequest, request_id).status.value) == "pending"
