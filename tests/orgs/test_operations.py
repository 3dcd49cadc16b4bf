"""The org tree: paths, subtree queries, moves and deactivation."""

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import OrgUnit, UnitKind
from tracker.orgs import operations
from tracker.domain_errors import DomainError


@pytest.fixture
def tree(app):
    with app.app_context():
        root = operations.create_unit(None, "机关党委", UnitKind.organ_committee)
        g1 = operations.create_unit(None, "一总支", UnitKind.general_branch, root)
        g2 = operations.create_unit(None, "二总支", UnitKind.general_branch, root)
        b1 = operations.create_unit(None, "一支部", UnitKind.branch, g1)
        b2 = operations.create_unit(None, "二支部", UnitKind.branch, g1)
        b3 = operations.create_unit(None, "三支部", UnitKind.branch, g2)
        db.session.commit()
        yield {u.name: u for u in (root, g1, g2, b1, b2, b3)}


def names(stmt):
    return set(db.session.scalars(sa.select(OrgUnit.name).where(OrgUnit.id.in_(stmt))))


def test_subtree_is_one_query_on_the_path(tree):
    assert names(OrgUnit.subtree_ids(tree["一总支"].path)) == {"一支部", "一总支", "二支部"}
    assert names(OrgUnit.subtree_ids(tree["机关党委"].path)) == set(tree)
    assert names(OrgUnit.subtree_ids()) == set()


def test_path_prefix_does_not_leak_between_siblings(app):
    # Unit 1 must not cover unit 12 just because "/1" is a prefix of "/12".
    with app.app_context():
        units = [operations.create_unit(None, f"党委{i}", UnitKind.committee) for i in range(13)]
        first = units[0]
        covered = names(OrgUnit.subtree_ids(first.path))
        assert covered == {first.name}


def test_move_rewrites_paths_below(tree):
    b1 = tree["一支部"]
    operations.move_unit(None, b1, tree["二总支"])
    db.session.commit()
    assert names(OrgUnit.subtree_ids(tree["二总支"].path)) == {"一支部", "三支部", "二总支"}
    assert names(OrgUnit.subtree_ids(tree["一总支"].path)) == {"一总支", "二支部"}


def test_moving_a_subtree_moves_its_descendants(app, tree):
    group = operations.create_unit(None, "一小组", UnitKind.group, tree["一支部"])
    other_root = operations.create_unit(None, "工委", UnitKind.work_committee)
    operations.move_unit(None, tree["一总支"], other_root)
    db.session.commit()
    group = db.session.get(OrgUnit, group.id)
    assert group.path.startswith(other_root.path)
    assert group.ancestor_ids[0] == other_root.id


def test_moving_under_own_descendant_is_refused(tree):
    with pytest.raises(DomainError) as refused:
        operations.move_unit(None, tree["一总支"], tree["一支部"])
    assert refused.value.reasons[0].code == "cycle"
    with pytest.raises(DomainError):
        operations.move_unit(None, tree["一总支"], tree["一总支"])


def test_kind_must_sit_below_its_parent(tree):
    with pytest.raises(DomainError) as refused:
        operations.create_unit(None, "错位总支", UnitKind.general_branch, tree["一支部"])
    assert refused.value.reasons[0].code == "kind_order"


def test_sibling_names_are_unique(tree):
    with pytest.raises(DomainError):
        operations.create_unit(None, "一支部", UnitKind.branch, tree["一总支"])
    operations.create_unit(None, "一支部", UnitKind.branch, tree["二总支"])  # another parent is fine


def test_deactivate_needs_children_inactive_first(tree):
    with pytest.raises(DomainError) as refused:
        operations.set_unit_active(None, tree["一总支"], False)
    assert refused.value.reasons[0].params == {"count": 2}
    operations.set_unit_active(None, tree["一支部"], False)
    operations.set_unit_active(None, tree["二支部"], False)
    operations.set_unit_active(None, tree["一总支"], False)
    assert not tree["一总支"].is_active
    with pytest.raises(DomainError):
        operations.set_unit_active(None, tree["一支部"], True)  # parent is inactive


def test_every_change_is_in_the_timeline(tree):
    from tracker.audit import timeline

    operations.move_unit(None, tree["一支部"], tree["二总支"])
    verbs = [a.verb for a in timeline(tree["一支部"])]
    assert verbs == ["moved", "created"]
    moved = timeline(tree["一支部"])[0]
    assert moved.before == {"parent": "一总支"} and moved.after == {"parent": "二总支"}
