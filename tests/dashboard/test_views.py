"""The home page speaks to each person about what is theirs."""

from tracker.models import Role


def test_a_members_home_speaks_of_her_branch(client, login, make_unit, make_user):
    root = make_unit("机关党委")
    branch = make_unit("办公室党支部", make_unit("第一党总支", root))
    member = make_user("mem1", branch, Role.member)
    make_user("mem2", branch, Role.member)
    login(member)
    page = client.get("/home").get_data(as_text=True)
    assert "我的支部" in page and "办公室党支部" in page and "我的支部已超期" in page
    assert "管辖范围" not in page


def test_a_secretarys_home_speaks_of_her_scope(client, login, make_unit, make_user):
    branch = make_unit("办公室党支部", make_unit("第一党总支", make_unit("机关党委")))
    login(make_user("sec1", branch, Role.secretary))
    page = client.get("/home").get_data(as_text=True)
    assert "我管辖范围内的组织" in page and "管辖范围内已超期" in page
