"""Display names of the ledger's timeline verbs and fields (states, kinds, escalations carry their own `.label`)."""

from flask_babel import lazy_gettext as _l

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
    "imported": _l("Import from Excel"),
    "closed_at": _l("Closed at"),
}
