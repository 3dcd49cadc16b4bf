"""Display names of unit kinds, roles and posts (translatable)."""

from flask_babel import lazy_gettext as _l

from ..models import Post, Role, UnitKind

KIND_LABELS = {
    UnitKind.committee: _l("Party committee"),
    UnitKind.work_committee: _l("Working committee"),
    UnitKind.organ_committee: _l("Organ party committee"),
    UnitKind.general_branch: _l("General branch"),
    UnitKind.branch: _l("Party branch"),
    UnitKind.group: _l("Party group"),
}

ROLE_LABELS = {
    Role.admin: _l("Administrator"),
    Role.leader: _l("Leader"),
    Role.secretary: _l("Secretary"),
    Role.member: _l("Member"),
}

POST_LABELS = {
    Post.secretary: _l("Secretary (书记)"),
    Post.deputy_secretary: _l("Deputy secretary"),
    Post.organization: _l("Organisation committee member"),
    Post.publicity: _l("Publicity committee member"),
    Post.discipline: _l("Discipline inspection member"),
}
