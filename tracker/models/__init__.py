"""The models, one module per aggregate; importing this package registers them all."""

from .activity import Activity
from .attachment import Attachment, AttachmentKind
from .base import UTCDateTime, str_enum, utcnow
from .meeting import (Attendance, Cadence, Meeting, MeetingAttendance, MeetingCadence, MeetingExemption, MeetingKind,
                      MeetingState)
from .ledger import (DeadlineKind, ExtensionRequest, ExtensionStatus, ItemSource, ItemStatus, LedgerItem,
                     ProgressEntry, Severity)
from .notification import Event, Notification, NotificationSetting
from .org import OrgUnit, UnitKind, WebhookKind
from .project import (
    ChecklistItem, GeneratedProject, Project, ProjectCategory, ProjectTemplate, ProjectType, Recurrence, Stage,
    Target, TemplateItem, TemplateSubscription, TemplateTarget, project_participant,
)
from .review import (
    Appeal, AppealStatus, ItemKind, LedgerLink, Method, ReviewPair, ReviewRound, RoundMode, RoundResult,
    RoundState, RoundUnit, Rubric, RubricItem, Score, Scoresheet, VetoDecision,
)
from .user import Membership, Post, Role, User

__all__ = [
    "Activity", "Attachment", "AttachmentKind", "DeadlineKind", "ExtensionRequest", "ExtensionStatus", "ItemSource", "ItemStatus",
    "LedgerItem", "ProgressEntry", "Severity", "Membership", "OrgUnit", "Post", "Role", "UTCDateTime", "UnitKind", "User",
    "str_enum", "utcnow",
    "ChecklistItem", "GeneratedProject", "Project", "ProjectCategory", "ProjectTemplate", "ProjectType", "Recurrence", "Stage",
    "Target", "TemplateItem", "TemplateSubscription", "TemplateTarget", "project_participant",
    "Event", "Notification", "NotificationSetting", "WebhookKind",
    "Attendance", "Cadence", "Meeting", "MeetingAttendance", "MeetingCadence", "MeetingExemption", "MeetingKind",
    "MeetingState",
    "Appeal", "AppealStatus", "ItemKind", "LedgerLink", "Method", "ReviewPair", "ReviewRound", "RoundMode",
    "RoundResult", "RoundState", "RoundUnit", "Rubric", "RubricItem", "Score", "Scoresheet", "VetoDecision",
]
