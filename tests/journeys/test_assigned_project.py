"""Journey (a): a project assigned down the tree, carried out by three branches, accepted by the leader.

Every step is performed through HTTP by the person who does it, each in a session of their own.
The leader of the 机关党委 assigns the 主题党日 template to three branches (every period from now
on); each branch's secretary records the actual values against the targets, ticks her checklists
and moves the project to 执行 and 检查; the leader records the verdict (验收意见) and accepts (完成).
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from support import Person
from tracker.models import Role
from tracker.projects.catalogue import install_templates

BRANCHES = ["办公室党支部", "组织人事党支部", "信息中心党支部"]


@pytest.fixture
def cast(make_unit, make_user, in_db):
    root = make_unit("示范机关党委")
    general = make_unit("机关第一党总支", root)
    branches = [make_unit(name, general) for name in BRANCHES]
    in_db(install_templates)  # the templates an administrator keeps
    return {
        "leader": make_user("leader", root, Role.leader),
        "secretaries": [make_user(f"sec{i + 1}", b, Role.secretary) for i, b in enumerate(branches)],
        "branches": branches,
    }


def _link(page: str, pattern: str) -> str:
    found = re.search(pattern, page)
    assert found, f"no link like {pattern}"
    return found.group(0)


def _tick_all(person: Person, project_url: str, stage: str) -> None:
    """Tick every item of one stage's checklist, as the secretary clicks each box."""
    page = person.get(project_url)
    section = page.split(f'id="checklist-{stage}"', 1)[1].split("</section>", 1)[0]
    actions = re.findall(r'action="(/projects/\d+/items/\d+/tick)"', section)
    assert actions, f"nothing to tick in {stage}"
    for action in actions:
        person.submit(project_url, action, {"done": "1"})
    assert "☐" not in person.get(project_url).split(f'id="checklist-{stage}"', 1)[1].split("</section>", 1)[0]


def test_a_template_assigned_to_three_branches_comes_back_done(app, cast):
    leader = Person(app, cast["leader"])
    today = date.today()

    # The leader assigns 主题党日 to every branch that has a secretary, from this month on.
    templates = leader.get("/projects/templates")
    section = templates.split(">主题党日<", 1)[1]
    assign = _link(section, r"/projects/templates/\d+/assign")
    response = leader.submit(assign, assign, {"all_units": "y", "recurring": "y", "start_date": today.isoformat()})
    assert "已按模板“主题党日”下达 3 个项目。" in leader.follow(response)
    title = f"主题党日（{today.year}年{today.month}月）"

    # Each secretary finds her project on her home page and carries it through 计划 → 执行 → 检查.
    projects = {}
    for secretary, branch in zip(cast["secretaries"], BRANCHES):
        person = Person(app, secretary)
        home = person.get("/home")
        assert f"{branch}{title}" in home
        url = _link(home.split(f"{branch}{title}", 1)[0].rsplit("<li>", 1)[1], r"/projects/\d+")
        projects[branch] = url
        edit = f"{url}/edit"
        page = person.get(edit)
        assert "示范机关党委" in page  # the assigning unit, above her branch, stays as it is
        person.submit(edit, edit, {"target_rows-0-actual_value": "1", "target_rows-1-actual_value": "96.5",
                                   "target_rows-2-actual_value": "100"})
        shown = person.get(url)
        assert "96.5%" in shown and "示范机关党委" in shown
        _tick_all(person, url, "plan")
        moved = person.follow(person.submit(url, f"{url}/move", {"to": "run"}))
        assert "已进入执行阶段" in moved
        refused = person.follow(person.submit(url, f"{url}/move", {"to": "check"}))
        assert "暂不能推进" in refused and "执行阶段清单还有" in refused  # the run checklist comes first
        _tick_all(person, url, "run")
        assert "已进入检查阶段" in person.follow(person.submit(url, f"{url}/move", {"to": "check"}))
        _tick_all(person, url, "check")
        # She cannot judge her own work: no verdict form for her.
        verdict_panel = person.get(url).split('id="verdict-panel"', 1)[1].split("</section>", 1)[0]
        assert f'action="{url}/verdict"' not in verdict_panel

    # The leader finds the three projects in 检查 on the board, records the verdict and accepts each.
    board = leader.get("/board")
    assert 'data-total-for="check">3<' in board
    for branch, url in projects.items():
        refused = leader.follow(leader.submit(url, f"{url}/move", {"to": "done"}))
        assert "暂不能推进" in refused and "尚未填写验收意见。" in refused
        leader.submit(url, f"{url}/verdict", {"verdict": f"{branch}主题党日活动开展规范，资料齐全，同意验收。"})
        assert "已进入完成阶段" in leader.follow(leader.submit(url, f"{url}/move", {"to": "done"}))
    assert 'data-total-for="done">3<' in leader.get("/board")

    # Each secretary sees her project 完成, with the verdict and her results.
    for secretary, (branch, url) in zip(cast["secretaries"], projects.items()):
        page = Person(app, secretary).get(url)
        assert 'id="project-stage">完成<' in page and "同意验收" in page and "96.5%" in page
