"""The one clock: today and now in the offices' time zone (Asia/Shanghai), outside requests too.

Timestamps are stored in UTC; dates (deadlines, meeting days, periods) are calendar dates in the
local zone, so "today" and "overdue" turn over at local midnight wherever the server runs.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import click
from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def local_zone() -> ZoneInfo:
    """The configured zone (BABEL_DEFAULT_TIMEZONE), Asia/Shanghai outside an app."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def local_now() -> datetime:
    """Now, timezone-aware, in the local zone."""
    return datetime.now(local_zone())


def local_today() -> date:
    """Today's date in the local zone."""
    return local_now().date()


def to_local(moment: datetime) -> datetime:
    """A stored (UTC) timestamp in the local zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(local_zone())


class IsoDate(click.ParamType):
    """A date typed at the command line, YYYY-MM-DD; anything else is a one-line usage error."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-12-31.", param, ctx)


DATE = IsoDate()
