"""Demo step: a year of organisational life in the six branches, a few meetings missing and one returned."""

from __future__ import annotations

from datetime import date, time

from ..clock import local_today
from ..meetings import operations as ops
from ..models import Attendance, MeetingKind
from .org import DemoOrg

#: What each kind of meeting was about, by the month it was held in.
TOPICS = {
    MeetingKind.general_meeting: ("学习贯彻党的二十届三中全会精神；通报本季度党费收缴情况；讨论确定发展对象",
                                  "同意确定1名入党积极分子为发展对象，报上级党组织备案"),
    MeetingKind.committee: ("研究本月三会一课安排和主题党日方案；分析党员思想动态", "确定本月主题党日主题，明确分工"),
    MeetingKind.group: ("集中学习《中国共产党章程》；党员交流学习体会", "每名党员撰写一篇学习心得"),
    MeetingKind.theme_day: ("重温入党誓词；集中学习；交纳党费；到联系社区开展志愿服务", "形成为群众办实事清单3项"),
    MeetingKind.life_meeting: ("对照检查，开展批评和自我批评", "形成支部班子和党员个人整改清单"),
    MeetingKind.appraisal: ("党员个人总结、民主测评、组织评定", "评定优秀党员2名，其余合格"),
}
LECTURES = ["以党的创新理论武装头脑", "弘扬伟大建党精神", "严守党的政治纪律和政治规矩", "践行全心全意为人民服务的根本宗旨"]

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
                topics, decisions = TOPICS.get(kind, ("", ""))
                lecture = LECTURES[(month - 1) // 3]
                attendance = {secretary.id: (Attendance.present, None), members[0].id: (Attendance.present, None),
                              members[1].id: ((Attendance.leave, "外出培训") if (month + i) % 4 == 0
                                              else (Attendance.present, None))}
                meeting = ops.record_meeting(secretary, branch, ops.MeetingFields(
                    kind=kind, held_on=day, start_time=time(15 if kind is MeetingKind.theme_day else 9, 0),
                    place="党员活动室", host_id=secretary.id, recorder_id=members[0].id,
                    speaker=secretary.full_name if kind is MeetingKind.lecture else None,
                    lecture_title=lecture if kind is MeetingKind.lecture else None,
                    topics=lecture if kind is MeetingKind.lecture else topics,
                    content="支部书记主持会议，传达学习有关精神，党员逐一发言，结合岗位实际谈认识、谈打算。",
                    decisions=decisions), attendance, today=today)
                count += 1
                if back == 0 and kind is MeetingKind.committee and i == 1:
                    ops.submit_meeting(secretary, meeting)  # awaits the leader
                    continue
                if back == 0 and kind is MeetingKind.group and i == 3:
                    continue  # still a draft
                ops.submit_meeting(secretary, meeting)
                if kind is MeetingKind.general_meeting and i == 0 and returned is None and back <= 2:
                    returned = ops.return_meeting(ctx.leader, meeting, "请假党员未注明补学安排，决议事项表述不完整，请补充后重新提交。")
                    continue
                ops.approve_meeting(ctx.leader, meeting)
    return count
