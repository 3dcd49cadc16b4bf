"""Storing uploaded files safely: size limit, type by content, random names outside static/."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import IO, Any

import filetype
from flask import current_app, send_file
from werkzeug.datastructures import FileStorage

from .audit import record_activity
from .extensions import db
from .models import Attachment, AttachmentKind, User
from .domain_errors import N_, DomainError, refuse

#: The evidence types, by family: the names a file may have and the content it must show. A file
#: passes when its content is an accepted type and its name belongs to the same family (a phone's
#: PNG saved as .jpg is still an image; a PDF named .png, or anything named .html, is not).
FAMILIES: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "pdf": ((".pdf",), frozenset({"application/pdf"})),
    "image": ((".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".heic"),
              frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/heic"})),
    "office": ((".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp"), frozenset({
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    })),
    "text": ((".txt",), frozenset({"text/plain"})),
}
#: Types accepted, by what the content is.
ALLOWED_MIME = frozenset().union(*(mimes for _, mimes in FAMILIES.values()))
_FAMILY_OF_EXTENSION = {ext: family for family, (exts, _) in FAMILIES.items() for ext in exts}
_FAMILY_OF_MIME = {mime: family for family, (_, mimes) in FAMILIES.items() for mime in mimes}
ACCEPT_ATTRIBUTE = ",".join(ext for exts, _ in FAMILIES.values() for ext in exts)
_SNIFF_BYTES = 8192
#: Text that a browser or an XML reader would treat as markup (HTML, SVG, XML) is no plain text.
_MARKUP = re.compile(r"<\s*(?:!doctype|\?xml|html|head|body|script|svg|iframe|frame|object|embed|meta|link|style|"
                     r"math|img|form|base|xsl)\b", re.IGNORECASE)
#: What the content was, when it is not an accepted type.
MARKUP = "markup"
MARKUP_REASON = N_("This file holds web-page or XML markup (HTML, SVG, XML), which is not accepted: upload a PDF, "
                   "an image, an office document or plain text.")




def sniff_type(head: bytes) -> str | None:
    """The MIME type the content shows; MARKUP for HTML, SVG or XML text; None when it is no type we accept.

    Plain text (会议记录.txt) has no signature: it is text when it decodes as UTF-8 or GB18030,
    holds no NUL byte and is not markup.
    """
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED_MIME else None
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sniffed bytes is still text.
            if error.start < len(head) - 4:
                continue
            text = head[:error.start].decode(encoding)
        return MARKUP if _is_markup(text) else "text/plain"
    return None


def _is_markup(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("<") or _MARKUP.search(text) is not None


def check_type(name: str, head: bytes) -> str:
    """The accepted MIME type of a file called `name` starting with `head`; raises DomainError
    (422) when the content is no evidence type, or the name is not one or says another family."""
    mime = sniff_type(head)
    if mime == MARKUP:
        raise refuse(MARKUP_REASON, "markup")
    if mime is None:
        raise refuse(N_("This type of file is not accepted: upload a PDF, an image, an office document or text."),
                      "type")
    family = _FAMILY_OF_EXTENSION.get(os.path.splitext(name)[1].lower())
    if family is None:
        raise refuse(N_("“%(name)s” is not accepted by its name: only %(extensions)s files are."), "type_name",
                      name=name, extensions=" ".join(ACCEPT_ATTRIBUTE.split(",")))
    if family != _FAMILY_OF_MIME[mime]:
        raise refuse(N_("The content of “%(name)s” does not match its name: rename it to what it is, or upload the "
                         "right file."), "mismatch", name=name)
    return mime


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(actor: User | None, upload: FileStorage | None, *, owner: Any, unit_id: int,
                 kind: AttachmentKind = AttachmentKind.other) -> Attachment:
    """Check and store one uploaded file for `owner` (any model with an id); the caller commits.

    Raises DomainError (422) for a missing or empty file, one over MAX_UPLOAD_MB, or one that
    `check_type` refuses (by content: executables, archives, HTML/SVG/XML whatever their name;
    by name: anything not named as an evidence type, or named as another type than it is).
    """
    if upload is None or not upload.filename:
        raise refuse(N_("Choose a file to upload."), "missing")
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    stream: IO[bytes] = upload.stream
    head = stream.read(_SNIFF_BYTES)
    if not head:
        raise refuse(N_("The file is empty."), "empty")
    original = os.path.basename(upload.filename.replace("\\", "/"))[:255]
    mime = check_type(original, head)
    stored_name = secrets.token_hex(16)
    target = upload_dir() / stored_name
    size, tail = len(head), head[-64:]
    try:
        with target.open("wb") as out:
            out.write(head)
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise refuse(N_("The file is larger than %(mb)s MB."), "size",
                                  mb=current_app.config["MAX_UPLOAD_MB"])
                # Text stays text to its end: markup after a harmless first page is refused too.
                if mime == "text/plain" and _MARKUP.search((tail + chunk).decode("ascii", "ignore")):
                    raise refuse(MARKUP_REASON, "markup")
                tail = chunk[-64:]
                out.write(chunk)
    except DomainError:
        target.unlink(missing_ok=True)
        raise
    original = original or stored_name
    attachment = Attachment(owner_type=owner.__tablename__, owner_id=owner.id, unit_id=unit_id, kind=kind,
                            original_name=original, stored_name=stored_name, mime_type=mime,
                            size_bytes=size, uploaded_by_id=actor.id if actor else None)
    db.session.add(attachment)
    record_activity(actor, owner, "attachment_added", after={"file": original, "kind": kind.value},
                    unit_id=getattr(owner, "unit_id", unit_id))
    db.session.flush()
    return attachment


def attachments_of(owner: Any) -> list[Attachment]:
    """The files attached to one record, oldest first."""
    return list(db.session.scalars(
        db.select(Attachment)
        .where(Attachment.owner_type == owner.__tablename__, Attachment.owner_id == owner.id)
        .order_by(Attachment.id)
    ))


def send_attachment(attachment: Attachment):
    """The file as a download under its original name (Chinese names included)."""
    path = upload_dir() / attachment.stored_name
    inline = attachment.mime_type.startswith("image/") or attachment.mime_type == "application/pdf"
    return send_file(path, mimetype=attachment.mime_type, as_attachment=not inline,
                     download_name=attachment.original_name, max_age=0)
