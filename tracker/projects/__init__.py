"""Party-building projects through the PDCA loop: board, pages, checklists and templates.

The views attach to `bp` when `tracker.projects.views` is imported (by the app factory), so the
models may import the pure `workflow` module without pulling in the web layer.
"""

from flask import Blueprint

bp = Blueprint("projects", __name__)


@bp.record_once
def _register(_state):
    from ..i18n import register_labels
    from ..navigation import DASHBOARD_WIDGETS, UNIT_PANELS
    from .labels import (
        CONFIG_FIELD_LABELS, CONFIG_VERB_LABELS, RECURRENCE_LABELS, STAGE_LABELS, TYPE_LABELS, VERB_LABELS, FIELD_LABELS,
    )

    register_labels(subjects=("project",), verbs=VERB_LABELS, fields=FIELD_LABELS, values={
        "stage": {k.value: v for k, v in STAGE_LABELS.items()},
        "type": {k.value: v for k, v in TYPE_LABELS.items()},
    })
    register_labels(subjects=("project_category", "project_template"), verbs=CONFIG_VERB_LABELS,
                    fields=CONFIG_FIELD_LABELS, values={
                        "stage": {k.value: v for k, v in STAGE_LABELS.items()},
                        "type": {k.value: v for k, v in TYPE_LABELS.items()},
                        "recurrence": {k.value: v for k, v in RECURRENCE_LABELS.items()},
                    })
    from ..attachments import register_owner
    from .queries import load_project_or_404

    register_owner("project", load_project_or_404)

    from ..hooks import register_origin
    from .queries import describe_project

    register_origin("project", describe_project)
    if "projects/_widget.html" not in DASHBOARD_WIDGETS:
        DASHBOARD_WIDGETS.append("projects/_widget.html")
    if "projects/_unit_panel.html" not in UNIT_PANELS:
        UNIT_PANELS.append("projects/_unit_panel.html")


@bp.app_context_processor
def _labels():
    from flask import current_app

    from .labels import RECURRENCE_LABELS, STAGE_LABELS, TYPE_LABELS

    # current_app: the project page links to the ledger only when that feature is installed.
    return {"stage_label": STAGE_LABELS.get, "type_label": TYPE_LABELS.get,
            "recurrence_label": RECURRENCE_LABELS.get, "current_app": current_app}


@bp.app_context_processor
def _widget():
    def project_summary():
        from flask_login import current_user

        from .queries import summary_for
        from ..clock import local_today

        return summary_for(current_user, local_today())

    def unit_stage_counts(unit):
        from .queries import stage_counts_under

        return stage_counts_under(unit)

    return {"project_summary": project_summary, "unit_stage_counts": unit_stage_counts}


@bp.record_once
def _commands(state):
    import click
    from flask.cli import with_appcontext

    @click.command("generate-recurring")
    @with_appcontext
    @click.option("--period", required=True, help="2026Q4 (quarterly), 2026-11 (monthly) or 2026 (yearly).")
    def generate_recurring_command(period: str) -> None:
        """Create the projects recurring templates owe for PERIOD; running it again creates nothing new."""
        from ..extensions import db
        from ..domain_errors import DomainError
        from .operations import generate_recurring

        try:
            created = generate_recurring(period)
        except DomainError as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        for project in created:
            click.echo(f"{project.code}  {project.unit.name}  {project.title}")
        click.echo(f"{len(created)} projects created for {period}.")

    state.app.cli.add_command(generate_recurring_command)
