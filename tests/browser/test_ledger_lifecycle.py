"""One rectification item's whole life in the browser: create, progress, evidence, submit, return,
resubmit, close (销号) and reopen (回头看)."""

import re

import pytest
from playwright.sync_api import expect

from ledger.ledger_support import PNG

pytestmark = pytest.mark.browser


def _log_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_label("用户名")).to_be_visible()


def test_an_item_from_creation_to_follow_up_check(page, live_server, log_in, tmp_path):
    photo = tmp_path / "整改后照片.png"
    photo.write_bytes(PNG)
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    # The leader records the problem for 办公室党支部, owned by its secretary (sec1).
    log_in("leader")
    page.goto(f"{live_server}/ledger/new")
    unit_value = page.locator("#unit_id option", has_text="办公室党支部").get_attribute("value")
    page.get_by_label("责任单位").select_option(unit_value)
    page.get_by_label("问题描述").fill("支部“三会一课”台账不规范，党课记录缺少学习内容")
    page.get_by_label("问题来源").select_option(label="巡察督查")
    page.get_by_label("责任人").select_option(label="王建国（sec1）")
    page.get_by_label("整改时限", exact=True).fill("2027-01-31")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已登记 ZG-")).to_be_visible()
    item_url = page.url.split("#")[0]
    assert re.search(r"/ledger/\d+$", item_url)
    expect(page.locator("#item-status-label")).to_have_text("待整改")
    _log_out(page)

    # sec1 reports progress, uploads a photo and submits.
    log_in("sec1")
    page.goto(item_url)
    form = page.locator("#progress-form")
    form.get_by_label("进度（%）").fill("60")
    form.get_by_label("进展情况").fill("已补齐党课学习记录，正在整理签到表")
    form.get_by_role("button", name="记录进展").click()
    expect(page.get_by_text("整改进展已记录。")).to_be_visible()
    expect(page.locator("#item-status-label")).to_have_text("整改中")
    evidence = page.locator("#evidence-form")
    evidence.get_by_label("材料类型").select_option(label="照片")
    evidence.get_by_label("文件").set_input_files(str(photo))
    evidence.get_by_role("button", name="上传").click()
    expect(page.locator("#evidence").get_by_role("link", name="整改后照片.png")).to_be_visible()
    submit = page.locator("#submit-form")
    submit.get_by_label("整改完成情况").fill("党课记录已补齐，建立了三会一课台账模板")
    submit.get_by_role("button", name="提交验收").click()
    expect(page.locator("#item-status-label")).to_have_text("待验收")
    _log_out(page)

    # The leader returns it with a reason.
    log_in("leader")
    page.goto(item_url)
    returning = page.locator("#return-form")
    returning.get_by_label("理由").fill("缺少整改前后对比材料，请补充")
    returning.get_by_role("button", name="退回").click()
    expect(page.locator("#item-status-label")).to_have_text("退回")
    _log_out(page)

    # sec1 resubmits.
    log_in("sec1")
    page.goto(item_url)
    page.locator("#submit-form").get_by_role("button", name="提交验收").click()
    expect(page.locator("#item-status-label")).to_have_text("待验收")
    _log_out(page)

    # The leader closes it: 已销号, with both the completion and the closing time.
    log_in("leader")
    page.goto(item_url)
    closing = page.locator("#close-form")
    closing.get_by_label("验收意见").fill("整改到位，材料齐全，同意销号")
    closing.get_by_role("button", name="验收销号").click()
    expect(page.locator("#item-status-label")).to_have_text("已销号")
    expect(page.locator("#completed-at")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    expect(page.locator("#closed-at")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))

    # …and reopens it for a follow-up check (回头看).
    reopening = page.locator("#reopen-form")
    reopening.get_by_label("理由").fill("回头看发现签到表仍有缺漏")
    reopening.get_by_role("button", name="回头看", exact=True).click()
    expect(page.locator("#item-status-label")).to_have_text("回头看")
    timeline = page.locator("#timeline")
    for verb in ("验收销号", "退回整改", "回头看重新打开", "提交验收"):
        expect(timeline.get_by_text(verb).first).to_be_visible()

    # The ledger lists it, and the filtered table swaps in place (htmx) without CSP violations.
    page.goto(f"{live_server}/ledger/")
    page.get_by_label("状态").select_option(label="回头看")
    expect(page).to_have_url(re.compile(r"status=reopened"))
    expect(page.locator("#ledger-table")).to_contain_text("党课记录缺少学习内容")
    assert violations == []
