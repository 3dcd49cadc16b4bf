"""Helpers of the ledger tests (imported as `ledger.ledger_support`)."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.models import LedgerItem

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f10000000049454e44ae426082")


def get(model, obj):
    """The object's row loaded in the current session."""
    return db.session.get(model, obj.id)


def png(name: str = "整改照片.png") -> FileStorage:
    return FileStorage(stream=io.BytesIO(PNG), filename=name)


def load(item_id: int) -> LedgerItem:
    return db.session.get(LedgerItem, item_id)
