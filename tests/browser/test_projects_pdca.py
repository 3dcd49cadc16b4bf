"""It must show: a template goes to three branches, a secretary drives one through the PDCA stages
on the board (by drag and by the keyboard form), a gate refuses 完成 with the reasons on screen,
and the leader's verdict lets the project reach 完成."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The demo already has this quarter's 三会一课 projects: the leader assigns the next quarter's.
_TODAY = date.today()
_Q = (_TODAY.month - 1) // 3 + 1
NEXT_YEAR, NEXT_Q = (_TODAY.year + 1, 1) if _Q == 4 else (_TODAY.year, _Q + 1)
NEXT_START = date(NEXT_YEAR, 3 * NEXT_Q - 2, 1)
PERIOD = f"（{NEXT_YEAR}年第{NEXT_Q}季度）"
TITLE = "办公室党支部三会一课季度计划" + PERIOD


def log_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def in_chinese(page):
    """Other browser tests may leave a demo user's saved language on English."""
    button = page.get_by_role("button", name="中文")
    if button.get_attribute("aria-pressed") != "true":
        button.click()
        expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-pressed", "true")


def drag(page, card, target):
    """Drag `card` onto the column list `target` with real mouse moves (Sortable's fallback mode)."""
    card.scroll_into_view_if_needed()
    start = card.locator(".card-meta").first.bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + 8, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + 15, steps=4)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + min(end["height"] / 2, 40), steps=20)
    page.mouse.up()


def tick_all(page, stage):
    checklist = page.locator(f"#checklist-{stage}")
    open_items = checklist.locator('button.tick[aria-pressed="false"]')
    while open_items.count():
        before = open_items.count()
        open_items.first.click()
        expect(open_items).to_have_count(before - 1)


def test_a_template_goes_round_the_pdca_loop(page, live_server, log_in):
    page.set_viewport_size({"width": 1400, "height": 1200})
    # The leader assigns the 三会一课 template to three branches.
    log_in("leader")
    in_chinese(page)
    page.goto(f"{live_server}/projects/templates")
    page.get_by_role("region", name="三会一课季度计划").get_by_role("link", name="下达到支部").click()
    for branch in ("办公室党支部", "组织人事党支部", "综合业务党支部"):
        page.get_by_label(branch).check()
    page.get_by_label("开始日期").fill(NEXT_START.isoformat())
    page.get_by_role("button", name="下达").click()
    expect(page.locator("#flash")).to_contain_text("下达 3 个项目")
    expect(page.locator(".board-card", has_text="组织人事党支部三会一课季度计划" + PERIOD)).to_be_visible()
    log_out(page)

    # sec1 ticks the plan checklist and drags the card to 执行.
    log_in("sec1")
    in_chinese(page)
    page.goto(f"{live_server}/board")
    card = page.locator(".board-card", has_text=TITLE)
    expect(card).to_have_count(1)
    card_id = card.get_attribute("id")
    card.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=re.compile(TITLE))).to_be_visible()
    tick_all(page, "plan")
    page.goto(f"{live_server}/board")
    card = page.locator(f"#{card_id}")
    plan_total, run_total = (int(page.locator(f'[data-total-for="{s}"]').inner_text()) for s in ("plan", "run"))
    drag(page, card, page.locator('.cards-list[data-stage="run"]'))
    expect(page.locator(f'.cards-list[data-stage="run"] #{card_id}')).to_be_visible()
    expect(page.locator("#flash")).to_contain_text("执行")
    expect(page.locator('[data-total-for="run"]')).to_have_text(str(run_total + 1))
    expect(page.locator('[data-total-for="plan"]')).to_have_text(str(plan_total - 1))

    # Then to 检查: the run checklist first, then the keyboard form on the card.
    page.locator(f"#{card_id}").get_by_role("link", name=TITLE).click()
    expect(page.locator("#project-stage")).to_have_text("执行")
    tick_all(page, "run")
    page.goto(f"{live_server}/board")
    card = page.locator(f"#{card_id}")
    card.get_by_label(re.compile("推进到")).select_option(label="检查")
    card.get_by_role("button", name="推进").click()
    expect(page.locator(f'.cards-list[data-stage="check"] #{card_id}')).to_be_visible()

    # 完成 is refused while the check checklist is open and no verdict is recorded: the card goes back.
    drag(page, page.locator(f"#{card_id}"), page.locator('.cards-list[data-stage="done"]'))
    flash = page.locator("#flash")
    expect(flash).to_contain_text("检查阶段清单还有 3 项未完成")
    expect(flash).to_contain_text("尚未填写验收意见")
    expect(page.locator(f'.cards-list[data-stage="check"] #{card_id}')).to_be_visible()
    expect(page.locator(f'.cards-list[data-stage="done"] #{card_id}')).to_have_count(0)
    check_column = page.locator('.board-column.stage-check')
    expect(check_column.locator("[data-count]")).to_have_text(str(check_column.locator(".board-card").count()))
    log_out(page)

    # The leader records the verdict, the check checklist gets done, and the project reaches 完成.
    log_in("leader")
    in_chinese(page)
    page.goto(f"{live_server}/projects/{card_id.removeprefix('card-')}")
    page.get_by_role("textbox", name="验收意见").fill("会议记录完整，党员参会率达标，同意验收。")
    page.get_by_role("button", name="提交验收意见").click()
    expect(page.locator("#verdict-panel blockquote")).to_have_text("会议记录完整，党员参会率达标，同意验收。")
    tick_all(page, "check")
    page.get_by_label("推进到").select_option(label="完成")
    page.get_by_role("button", name="推进").click()
    expect(page.locator("#project-stage")).to_have_text("完成")
    expect(page.locator("#timeline")).to_contain_text("推进了项目阶段")
