"""Stored files: type by content, size limit, random names, original names and scoped downloads."""

import io
from datetime import date
from pathlib import Path

import pytest

from tracker.extensions import db
from tracker.models import AttachmentKind, OrgUnit, Role
from tracker.domain_errors import DomainError
from tracker.uploads import store_upload
from werkzeug.datastructures import FileStorage

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f10000000049454e44ae426082")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 100


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.fixture
def unit(make_unit):
    return make_unit("机关党委")


def store(app, unit, data, name, kind=AttachmentKind.photo):
    with app.test_request_context():
        owner = db.session.get(OrgUnit, unit.id)
        attachment = store_upload(None, upload(data, name), owner=owner, unit_id=unit.id, kind=kind)
        db.session.commit()
        return attachment.id, attachment.stored_name, attachment.mime_type


def test_image_is_stored_under_a_random_name_outside_static(app, unit):
    attachment_id, stored_name, mime = store(app, unit, PNG, "整改前后对比.png")
    assert mime == "image/png" and "整改" not in stored_name
    stored = Path(app.config["UPLOAD_DIR"]) / stored_name
    assert stored.read_bytes() == PNG
    assert "static" not in str(stored)


@pytest.mark.parametrize("data,name,code", [
    (EXE, "会议记录.pdf", "type"),
    (ZIP, "材料.zip", "type"),
    (b"", "空.pdf", "empty"),
])
def test_bad_files_are_refused_with_a_reason(app, unit, data, name, code):
    with pytest.raises(DomainError) as refused:
        store(app, unit, data, name)
    assert refused.value.reasons[0].code == code


def test_oversize_file_is_refused_and_not_left_on_disk(app, unit):
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        before = set(Path(app.config["UPLOAD_DIR"]).glob("*")) if Path(app.config["UPLOAD_DIR"]).exists() else set()
        with pytest.raises(DomainError) as refused:
            store(app, unit, PNG + b"\x00" * (1024 * 1024 + 10), "大图.png")
        assert refused.value.reasons[0].code == "size"
        assert set(Path(app.config["UPLOAD_DIR"]).glob("*")) == before
    finally:
        app.config["MAX_UPLOAD_MB"] = 20


def test_plain_text_meeting_minutes_are_accepted(app, unit):
    _, _, mime = store(app, unit, "支部委员会会议记录\n出席：5人".encode("gb18030"), "会议记录.txt",
                       AttachmentKind.minutes)
    assert mime == "text/plain"


def test_download_keeps_the_chinese_name_and_checks_scope(app, client, login, unit, make_unit, make_user):
    attachment_id, _, _ = store(app, unit, "学习记录".encode(), "学习记录.txt")
    login(make_user("reader", unit, Role.member))
    response = client.get(f"/files/{attachment_id}")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E5%AD%A6%E4%B9%A0%E8%AE%B0%E5%BD%95.txt" in response.headers["Content-Disposition"]
    login(make_user("stranger", make_unit("另一党委"), Role.leader))
    assert client.get(f"/files/{attachment_id}").status_code == 404


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize("data,name,code", [
    (PDF, "x.pdf.html", "type_name"),  # a real PDF, but a browser would open the name as a page
    (SVG, "evil.svg", "markup"),
    (HTML, "说明.txt", "markup"),  # HTML posing as text
    (SVG, "图.txt", "markup"),  # SVG posing as text
    (b'<?xml version="1.0" encoding="UTF-8"?><root/>', "数据.txt", "markup"),  # XML posing as text
    ("会议记录\n出席5人\n<script>alert(1)</script>".encode(), "记录.txt", "markup"),
    ("\ufeff  <html><p>记录</p></html>".encode(), "记录.txt", "markup"),
    ("支部会议记录".encode(), "记录.html", "type_name"),
    ("支部会议记录".encode(), "记录", "type_name"),  # no extension at all
    (PNG, "报告.pdf", "mismatch"),
    (PDF, "照片.png", "mismatch"),
    ("支部会议记录".encode(), "记录.docx", "mismatch"),
])
def test_only_evidence_types_pass_by_content_and_by_name(app, unit, data, name, code):
    with pytest.raises(DomainError) as refused:
        store(app, unit, data, name)
    assert refused.value.reasons[0].code == code


@pytest.mark.parametrize("data,name,mime", [
    (PNG, "手机截图.jpg", "image/png"),  # an image saved under another image extension is still an image
    (PDF, "整改报告.PDF", "application/pdf"),
    ("考核得分<60分的支部：2个；>90分的：4个".encode(), "统计.txt", "text/plain"),  # a "<" is not markup
])
def test_evidence_with_a_fitting_name_is_accepted(app, unit, data, name, mime):
    assert store(app, unit, data, name)[2] == mime


def test_a_refused_file_leaves_nothing_behind(app, unit):
    root = Path(app.config["UPLOAD_DIR"])
    before = set(root.glob("*")) if root.exists() else set()
    for data, name in ((SVG, "evil.svg"), (PDF, "x.pdf.html"), (PNG, "报告.pdf")):
        with pytest.raises(DomainError):
            store(app, unit, data, name)
    assert (set(root.glob("*")) if root.exists() else set()) == before


@pytest.mark.parametrize("data,name,reason", [
    (PDF, "x.pdf.html", "不接受此文件名"),
    (SVG, "evil.svg", "网页或 XML 标记"),
    (HTML, "说明.txt", "网页或 XML 标记"),
])
def test_the_ledger_evidence_form_says_why_beside_the_field(client, login, make_unit, make_user, in_db, data, name,
                                                            reason):
    from tracker.ledger.operations import create_item
    from tracker.models import ItemSource, User

    branch = make_unit("一支部", make_unit("一总支", make_unit("机关党委")))
    secretary = make_user("upl_sec", branch, Role.secretary)
    item_id = in_db(lambda: create_item(db.session.get(User, secretary.id), unit=db.session.get(OrgUnit, branch.id),
                                        problem="记录不规范", source=ItemSource.self_check,
                                        owner=db.session.get(User, secretary.id), deadline=date(2027, 1, 31)).id)
    login(secretary)
    response = client.post(f"/ledger/{item_id}/evidence", data={"kind": "other", "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="file-error"' in page and reason in page


def test_markup_after_a_harmless_first_page_is_refused_and_not_kept(app, unit):
    root = Path(app.config["UPLOAD_DIR"])
    before = set(root.glob("*")) if root.exists() else set()
    padding = ("支部会议记录。" * 2000).encode()  # well past the first 8 KB
    with pytest.raises(DomainError) as refused:
        store(app, unit, padding + b"\n<script>alert(1)</script>\n", "记录.txt")
    assert refused.value.reasons[0].code == "markup"
    assert (set(root.glob("*")) if root.exists() else set()) == before
