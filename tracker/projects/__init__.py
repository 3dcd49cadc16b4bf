"""Party-building projects through the PDCA loop: board, pages, checklists, and the catalogue of
categories and project templates assigned to branches."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import hooks
from ..audit import names_by_id
from ..clock import local_today
from ..i18n import register_labels
from ..models import ProjectCategory, ProjectTemplate, ProjectType, Recurrence, Stage

bp = Blueprint("projects", __name__)

# The routes attach to bp.
from . import cli, labels, queries, views, views_catalogue, views_checklists  # noqa: E402,F401


def register(app: Flask) -> None:
    """The blueprint, the `generate-recurring` command, timeline labels, template helpers and hooks."""
    app.register_blueprint(bp)
    app.cli.add_command(cli.generate_recurring_command)
    hooks.register_record_kind("project_template", _l("Template"), "projects.edit_template", "template_id",
                               partial(names_by_id, ProjectTemplate.id, ProjectTemplate.name))
    hooks.register_record_kind("project_category", _l("Category"), "projects.edit_category", "category_id",
                               partial(names_by_id, ProjectCategory.id, ProjectCategory.name))
    stages = Stage.labels()
    types = ProjectType.labels()
    register_labels(subjects=("project",), verbs=labels.VERB_LABELS, fields=labels.FIELD_LABELS,
                    values={"stage": stages, "type": types})
    register_labels(subjects=("project_category", "project_template"), verbs=labels.CONFIG_VERB_LABELS,
                    fields=labels.CONFIG_FIELD_LABELS, values={
                        "stage": stages, "type": types,
                        "recurrence": Recurrence.labels(),
                    })
    app.jinja_env.globals.update(
        stage_label=Stage.label_of,
        type_label=ProjectType.label_of,
        recurrence_label=Recurrence.label_of,
        project_summary=lambda: queries.summary_for(current_user, local_today()),
        unit_stage_counts=queries.stage_counts_under,
    )
    hooks.register_attachment_owner("project", queries.get_project_or_404)
    hooks.register_origin("project", queries.describe_project)
    hooks.add_home_widget("projects/_widget.html")
    hooks.add_work_source(queries.my_work)
    hooks.register_record_kind("project", _l("Party-building project"), "projects.show", "project_id", queries.project_names)
    hooks.add_unit_panel("projects/_unit_panel.html")
