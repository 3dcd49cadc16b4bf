"""Demo step: a year of organisational life in the six branches, a few meetings missing and one returned."""

from __future__ import annotations

from datetime import date, time

from ..clock import local_today
from ..meetings import operations as ops
from ..models import Attendance, MeetingKind
from .content import content
from .org import DemoOrg

#: The gaps the summary shows: (branch index, kind, months ago).
MISSING = {(2, MeetingKind.committee, 3), (4, MeetingKind.lecture, 3), (5, MeetingKind.group, 1),
           (3, MeetingKind.theme_day, 5)}


def _months_back(today: date, n: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 - n
    return index // 12, index % 12 + 1


def _kinds_in(month: int) -> list[MeetingKind]:
    kinds = [MeetingKind.committee, MeetingKind.group, MeetingKind.theme_day]
    if month % 3 == 2:  # the middle month of each quarter
        kinds += [MeetingKind.general_meeting, MeetingKind.lecture]
    if month == 1:
        kinds += [MeetingKind.life_meeting, MeetingKind.appraisal]
    return kinds


def seed(ctx: DemoOrg) -> int:
    """Record, submit and approve the branches' meetings of the last twelve months (days up to today);
    the latest one of each branch that falls on the last days stays a draft or awaits approval."""
    words = content()["meetings"]
    topics_of = {MeetingKind(k): v for k, v in words["topics"].items()}
    today = local_today()
    count = 0
    returned = None
    for i, branch in enumerate(ctx.branches):
        secretary, members = ctx.secretaries[i], ctx.members[2 * i: 2 * i + 2]
        for back in range(11, -1, -1):
            year, month = _months_back(today, back)
            for n, kind in enumerate(_kinds_in(month)):
                day = date(year, month, min(3 + 2 * n + i, 28))
                if day >= today or (i, kind, back) in MISSING:
                    continue
                topics, decisions = topics_of.get(kind, ("", ""))
                lecture = words["lectures"][(month - 1) // 3]
                attendance = {secretary.id: (Attendance.present, None), members[0].id: (Attendance.present, None),
                              members[1].id: ((Attendance.leave, words["leave_reason"]) if (month + i) % 4 == 0
                                              else (Attendance.present, None))}
                meeting = ops.record_meeting(secretary, branch, ops.MeetingFields(
                    kind=kind, held_on=day, start_time=time(15 if kind is MeetingKind.theme_day else 9, 0),
                    place=words["place"], host_id=secretary.id, recorder_id=members[0].id,
                    speaker=secretary.full_name if kind is MeetingKind.lecture else None,
                    lecture_title=lecture if kind is MeetingKind.lecture else None,
                    topics=lecture if kind is MeetingKind.lecture else topics,
                    content=words["content"],
                    decisions=decisions), attendance, today=today)
                count += 1
                if back == 0 and kind is MeetingKind.committee and i == 1:
                    ops.submit_meeting(secretary, meeting)  # awaits the leader
                    continue
                if back == 0 and kind is MeetingKind.group and i == 3:
                    continue  # still a draft
                ops.submit_meeting(secretary, meeting)
                if kind is MeetingKind.general_meeting and i == 0 and returned is None and back <= 2:
                    returned = ops.return_meeting(ctx.leader, meeting, words["return_reason"])
                    continue
                ops.approve_meeting(ctx.leader, meeting)
    return count
