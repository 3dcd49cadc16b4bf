"""Column types and helpers shared by every model."""

from __future__ import annotations

import enum
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members carry their translatable display name.

    Declared as ``open = "open", _l("To rectify")`` (Django's TextChoices idiom): the value is what
    the database stores, ``ItemStatus.open.label`` what people read, ``choices()`` feeds a select.
    """

    label: str

    def __new__(cls, value: str, label: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, display name) for every member, in declaration order: a select's choices."""
        return [(member.value, str(member.label)) for member in cls]

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Value → display name, for the timeline's value labels."""
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, value, default=None):
        """The display name of a stored value (an unknown or missing value gives `default`)."""
        try:
            return cls(value).label
        except ValueError:
            return default


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (how every timestamp is stored)."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC on every engine and always read back timezone-aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(timezone.utc)
        # SQLite keeps no offset: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def str_enum(enum_cls: type[enum.Enum], length: int = 24) -> sa.Enum:
    """Store a StrEnum as its value in a plain VARCHAR (no native enum type to migrate)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )
