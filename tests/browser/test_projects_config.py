"""The configuration pages in a browser: an admin keeps the category list inline (htmx), a leader
builds a new template whose checklist is edited in place. Only new records are touched, so the
other browser tests see the demo data unchanged."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def in_chinese(page):
    button = page.get_by_role("button", name="中文")
    if button.get_attribute("aria-pressed") != "true":
        button.click()
        expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-pressed", "true")


def test_admin_adds_renames_and_deactivates_a_category(page, live_server, log_in):
    log_in("admin")
    in_chinese(page)
    page.goto(f"{live_server}/projects/templates")
    page.get_by_role("link", name="项目类别").click()
    page.get_by_label("新增类别").fill("党建引领基层治理")
    page.get_by_role("button", name="添加").click()
    row = page.locator("#categories tr", has_text="党建引领基层治理")
    expect(row).to_be_visible()
    page.get_by_label("新增类别").fill("党建引领基层治理")
    page.get_by_role("button", name="添加").click()
    expect(page.locator("#new-category-error")).to_contain_text("已存在")
    row.get_by_role("link", name="更名").click()
    page.get_by_label("新名称").fill("党建引领社区治理")
    page.locator("#categories").get_by_role("button", name="保存").click()
    row = page.locator("#categories tr", has_text="党建引领社区治理")
    row.get_by_role("button", name="停用").click()
    expect(page.locator("#categories tr", has_text="党建引领社区治理")).to_contain_text("已停用")
    page.goto(f"{live_server}/projects/new")
    expect(page.locator("#category_id option", has_text="党建引领社区治理")).to_have_count(0)


def test_leader_builds_a_template_and_edits_its_checklist_in_place(page, live_server, log_in):
    log_in("leader")
    in_chinese(page)
    page.goto(f"{live_server}/projects/templates")
    page.get_by_role("link", name="新建模板").click()
    page.get_by_label("名称").fill("书记领办项目")
    page.get_by_label("项目周期（天）").fill("180")
    page.get_by_role("button", name="创建模板").click()
    expect(page.get_by_role("heading", name="编辑模板：书记领办项目")).to_be_visible()
    plan = page.locator("#template-stage-plan")
    plan.get_by_label("新增事项").fill("确定领办项目并报上级党组织备案")
    plan.get_by_role("button", name="添加").click()
    expect(page.locator("#template-stage-plan")).to_contain_text("确定领办项目并报上级党组织备案")
    page.locator("#new-target-indicator").fill("形成经验材料")
    page.locator("#new-target-target_value").fill("-1")
    page.get_by_role("button", name="添加目标").click()
    expect(page.locator("#new-target-target_value-error")).to_contain_text("不能为负数")
    page.locator("#new-target-target_value").fill("1")
    page.get_by_role("button", name="添加目标").click()
    expect(page.locator("#template-targets")).to_contain_text("形成经验材料")
