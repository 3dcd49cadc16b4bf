"""Display names of the ledger's states, sources and kinds (translatable)."""

from flask_babel import lazy_gettext as _l

from ..models import AttachmentKind, DeadlineKind, ExtensionStatus, ItemSource, Severity
from .workflow import Countdown, DueLight, Escalation, ItemStatus

STATUS_LABELS = {
    ItemStatus.open: _l("To rectify"),
    ItemStatus.in_progress: _l("Rectifying"),
    ItemStatus.submitted: _l("Awaiting verification"),
    ItemStatus.returned: _l("Returned"),
    ItemStatus.closed: _l("Closed (verified)"),
    ItemStatus.reopened: _l("Reopened (follow-up check)"),
    ItemStatus.void: _l("Void"),
}

SOURCE_LABELS = {
    ItemSource.project_check: _l("Project check"),
    ItemSource.review: _l("Quarterly peer review"),
    ItemSource.inspection: _l("Inspection"),
    ItemSource.self_check: _l("Self-check"),
    ItemSource.org_life: _l("Organisational-life meeting"),
    ItemSource.report: _l("Secretary's report and appraisal"),
    ItemSource.other: _l("Other"),
}

DEADLINE_KIND_LABELS = {
    DeadlineKind.date: _l("By a date"),
    DeadlineKind.immediate: _l("Rectify immediately"),
    DeadlineKind.ongoing: _l("Ongoing"),
}

SEVERITY_LABELS = {
    Severity.normal: _l("Ordinary"),
    Severity.major: _l("Serious"),
    Severity.severe: _l("Grave"),
}

EXTENSION_LABELS = {
    ExtensionStatus.pending: _l("Pending"),
    ExtensionStatus.approved: _l("Approved"),
    ExtensionStatus.refused: _l("Refused"),
}

LIGHT_LABELS = {
    DueLight.none: _l("No running deadline"),
    DueLight.green: _l("On time"),
    DueLight.yellow: _l("Due soon"),
    DueLight.red: _l("Overdue"),
}

ESCALATION_LABELS = {
    Escalation.none: "",
    Escalation.remind: _l("Reminder to the owner"),
    Escalation.warn: _l("Warning to the secretary"),
    Escalation.supervise: _l("Supervised by the leader"),
}

COUNTDOWN_LABELS = {
    Countdown.overdue: _l("Overdue"),
    Countdown.within_10: _l("10 days or fewer left"),
    Countdown.within_20: _l("20 days or fewer left"),
    Countdown.over_20: _l("More than 20 days left"),
}

EVIDENCE_LABELS = {
    AttachmentKind.regulation: _l("Regulation document"),
    AttachmentKind.minutes: _l("Meeting minutes"),
    AttachmentKind.photo: _l("Photo"),
    AttachmentKind.before_after: _l("Before-and-after comparison"),
    AttachmentKind.other: _l("Other"),
}

VERB_LABELS = {
    "started": _l("started rectification"),
    "progress_reported": _l("reported progress"),
    "submitted": _l("submitted for verification"),
    "returned": _l("returned for more work"),
    "closed": _l("verified and closed"),
    "reopened": _l("reopened for a follow-up check"),
    "voided": _l("voided"),
    "extension_requested": _l("asked for an extension"),
    "extension_approved": _l("approved an extension"),
    "extension_refused": _l("refused an extension"),
    "reminded": _l("sent a reminder"),
    "corrected": _l("corrected it after the circular was published again"),
    "flagged": _l("flagged it: the circular was corrected after the item was closed"),
}

FIELD_LABELS = {
    "code": _l("Code"),
    "source": _l("Source"),
    "status": _l("Status"),
    "owner": _l("Owner"),
    "deadline": _l("Deadline"),
    "progress": _l("Progress (%)"),
    "completion_note": _l("Completion note"),
    "verification_opinion": _l("Verification opinion"),
    "batch": _l("Inspection batch / round"),
    "category": _l("Problem category"),
    "problem": _l("Problem"),
    "indicator": _l("Indicator"),
    "deduction": _l("Points deducted"),
    "target": _l("Target / acceptance standard"),
    "measures": _l("Measures"),
    "responsible_leader_id": _l("Responsible leader"),
    "owner_id": _l("Owner"),
    "verifier_id": _l("Verifier"),
    "severity": _l("Severity"),
    "lessons": _l("Rules made / lessons applied elsewhere"),
    "remark": _l("Remark"),
    "level": _l("Escalation"),
    "recipients": _l("Notified"),
    "withdrawn": _l("Deduction withdrawn"),
}
