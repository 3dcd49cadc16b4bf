"""Phone numbers: validated beside the field, and seen only by the person and those above her."""

import pytest

from tracker.extensions import db
from tracker.models import Role, User
from tracker.domain_errors import DomainError
from tracker.users.operations import mask_phone, normalise_phone

PHONE = "13812345678"


@pytest.mark.parametrize("typed, stored", [
    ("13812345678", "13812345678"),
    (" 138 1234 5678 ", "13812345678"),
    ("+86 13812345678", "13812345678"),
    ("010-12345678", "010-12345678"),
    ("0755-1234567", "0755-1234567"),
    ("010-12345678-8001", "010-12345678-8001"),
    ("010-12345678转8001", "010-12345678-8001"),
    ("", None),
])
def test_mobile_and_landline_numbers_are_accepted(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12812345678", "1381234567", "138123456789", "12345678", "010 12345678x",
                                   "电话138", "<script>", "010-123456", "10-12345678", "0755-123456789"])
def test_anything_else_is_refused(typed):
    with pytest.raises(DomainError) as refused:
        normalise_phone(typed)
    assert refused.value.reasons[0].code == "phone"


@pytest.fixture
def branch(make_unit, make_user, in_db):
    """一支部 under 一总支 under 机关党委, with 小李 (a member, phone set) and people around her."""
    root = make_unit("机关党委")
    g1 = make_unit("一总支", root)
    b1, b2 = make_unit("一支部", g1), make_unit("二支部", g1)
    people = {
        "li": make_user("li", b1, Role.member),
        "peer": make_user("peer", b1, Role.member),
        "sec": make_user("sec1", b1, Role.secretary),
        "leader": make_user("g1_leader", g1, Role.leader),
        "admin": make_user("root_admin", root, Role.admin),
        "sec2": make_user("sec2", b2, Role.secretary),
    }
    in_db(lambda: setattr(db.session.get(User, people["li"].id), "phone", PHONE))
    return people


@pytest.mark.parametrize("viewer, sees", [
    ("li", True), ("sec", True), ("leader", True), ("admin", True), ("peer", False),
])
def test_a_phone_number_is_shown_only_to_her_and_those_above_her(client, login, branch, viewer, sees):
    login(branch[viewer])
    page = client.get(f"/users/{branch['li'].id}").get_data(as_text=True)
    assert (PHONE in page) is sees
    assert PHONE not in client.get("/users/").get_data(as_text=True)


def test_a_secretary_of_another_branch_does_not_find_her_at_all(client, login, branch):
    login(branch["sec2"])
    assert client.get(f"/users/{branch['li'].id}").status_code == 404


def test_a_bad_number_is_refused_beside_the_field_in_either_language(client, login, branch, in_db):
    login(branch["admin"])
    user = branch["li"]
    data = {"full_name": "小李", "phone": "电话138", "version": in_db(lambda: db.session.get(User, user.id).version)}
    response = client.post(f"/users/{user.id}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="phone-error"' in page
    assert "请填写手机号码（11 位，如 13812345678）或带区号的固定电话" in page and 'value="电话138"' in page
    client.post("/language", data={"locale": "en"})
    assert "Enter a mobile number (11 digits, e.g. 13812345678)" in client.post(f"/users/{user.id}", data=data).get_data(
        as_text=True)
    assert in_db(lambda: db.session.get(User, user.id).phone) == PHONE  # nothing changed


def test_a_changed_number_is_masked_in_the_timeline_for_everyone(client, login, branch, in_db):
    login(branch["admin"])
    user = branch["li"]
    version = in_db(lambda: db.session.get(User, user.id).version)
    saved = client.post(f"/users/{user.id}", data={"full_name": "小李", "phone": "139 8765 4321", "version": version})
    assert saved.status_code == 302
    assert in_db(lambda: db.session.get(User, user.id).phone) == "13987654321"
    login(branch["peer"])
    page = client.get(f"/users/{user.id}").get_data(as_text=True)
    assert "139****4321" in page and "138****5678" in page  # the timeline's before → after
    assert "13987654321" not in page and PHONE not in page


def test_masking_keeps_the_ends_only():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-12345678") == "010-****5678"
    assert mask_phone(None) is None
