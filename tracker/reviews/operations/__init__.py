"""Every write of review rounds, split by seam: rubrics, rounds (and their assignment), sheets
(scores, appeals, vetoes) and publication (states, the circular, the ledger).

Each function takes the acting user first (None is the system: the demo, a command), checks the
policy (NotAllowed) and the round's state, writes the activity record and only flushes; the
caller commits. Reads are in `queries` and `queries_results`. Callers use `operations.<verb>`;
the names below are the whole public surface.
"""

from __future__ import annotations

from .checks import FieldErrors
from .publication import move_round, publish_round, reconcile_ledger
from .rounds import create_round, generate_assignment, override_pair, update_round
from .rubrics import (
    add_rubric_item, create_rubric, delete_rubric_item, freeze_rubric, import_rubric, new_rubric_edition,
    update_rubric, update_rubric_item,
)
from .sheets import (
    SHEET_TEXT_FIELDS, answer_appeal, decide_veto, exclude_sheet, file_appeal, save_score, save_sheet_text,
    submit_sheet,
)

__all__ = [
    "SHEET_TEXT_FIELDS", "FieldErrors", "add_rubric_item", "answer_appeal", "create_round", "create_rubric",
    "decide_veto", "delete_rubric_item", "exclude_sheet", "file_appeal", "freeze_rubric", "generate_assignment",
    "import_rubric", "move_round", "new_rubric_edition", "override_pair", "publish_round", "reconcile_ledger",
    "save_score", "save_sheet_text", "submit_sheet", "update_round", "update_rubric", "update_rubric_item",
]
