"""Stored files: type by content, size limit, random names, original names and scoped downloads."""

import io
from pathlib import Path

import pytest

from tracker.extensions import db
from tracker.models import AttachmentKind, OrgUnit, Role
from tracker.reasons import DomainError
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
