"""The closed loop across features: a project's check finds problems, the ledger fixes them,
and only then does the project move on (检查 → 整改 → 检查 … → 完成)."""

import io
from datetime import date

import pytest
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.ledger import operations as ledger
from tracker.ledger.workflow import ItemStatus
from tracker.models import AttachmentKind, OrgUnit, Role, User
from tracker.models.ledger import ItemSource, LedgerItem
from tracker.models.project import Project
from tracker.projects import operations as projects
from tracker.projects.workflow import Stage
from tracker.domain_errors import DomainError


@pytest.fixture
def loop(app, make_unit, make_user):
    root = make_unit("机关党委")
    branch = make_unit("一支部", make_unit("一总支", root))
    leader = make_user("leader", root, Role.leader)
    secretary = make_user("sec", branch, Role.secretary)
    with app.test_request_context():
        project = projects.create_project(
            db.session.get(User, secretary.id), title="支部标准化建设", unit=db.session.get(OrgUnit, branch.id),
            owner=db.session.get(User, secretary.id), start_date=date(2026, 10, 1), due_date=date(2026, 12, 31),
            targets=[projects.TargetInput(indicator="三会一课", target_value=12)])
        project.stage = Stage.check  # the plan and run stages are the projects tests' business
        db.session.commit()
        return {"project_id": project.id, "leader_id": leader.id, "sec_id": secretary.id, "unit_id": branch.id}


def _get(loop):
    return (db.session.get(Project, loop["project_id"]), db.session.get(User, loop["leader_id"]),
            db.session.get(User, loop["sec_id"]))


def test_problems_found_in_check_drive_the_project_through_rectification(app, loop):
    with app.test_request_context():
        project, leader, secretary = _get(loop)
        with pytest.raises(DomainError) as refused:
            projects.move_project(leader, project, Stage.rectify)
        assert refused.value.reasons[0].code == "no_problems"

        item = ledger.create_item(leader, unit=project.unit, problem="组织生活会记录不全",
                                  source=ItemSource.project_check, owner=secretary, verifier=leader,
                                  deadline=date(2026, 12, 20), origin_type="project", origin_id=project.id)
        projects.move_project(leader, project, Stage.rectify)
        assert project.stage is Stage.rectify

        with pytest.raises(DomainError) as still_open:
            projects.move_project(leader, project, Stage.check)
        assert still_open.value.reasons[0].code == "open_problems"

        ledger.start_item(secretary, item)
        ledger.add_evidence(secretary, item, FileStorage(io.BytesIO("补齐会议记录".encode()), "会议记录.txt"),
                            AttachmentKind.minutes)
        ledger.submit_item(secretary, item, note="已补齐全年会议记录")
        ledger.close_item(leader, item, opinion="经核查，记录已补齐，同意销号")
        assert item.status is ItemStatus.closed

        cycle = project.cycle
        projects.move_project(leader, project, Stage.check)
        assert project.stage is Stage.check and project.cycle == cycle + 1


def test_a_voided_problem_does_not_hold_the_project(app, loop):
    with app.test_request_context():
        project, leader, secretary = _get(loop)
        item = ledger.create_item(leader, unit=project.unit, problem="误登记的问题", source=ItemSource.project_check,
                                  owner=secretary, verifier=leader, deadline=date(2026, 12, 20),
                                  origin_type="project", origin_id=project.id)
        ledger.void_item(leader, item, reason="重复登记")
        with pytest.raises(DomainError) as refused:
            projects.move_project(leader, project, Stage.rectify)
        assert refused.value.reasons[0].code == "no_problems"
        assert db.session.get(LedgerItem, item.id).status is ItemStatus.void
