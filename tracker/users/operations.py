"""Creating users, granting and revoking roles, deactivating and resetting passwords."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..audit import changes, record_activity
from ..auth.passwords import MIN_LENGTH, hash_password
from ..database import end_transaction
from ..domain_errors import N_, DomainError, NotAllowed, Reason, StaleEdit
from ..extensions import db
from ..models import Membership, OrgUnit, Post, Role, User
from .policy import can_admin_unit, can_manage_user

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: A mainland mobile number, or a landline with its area code and an optional extension.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-\d{7,8}(?:-\d{1,6})?$")
PHONE_REASON = Reason(N_("Enter a mobile number (11 digits, e.g. 13812345678) or a landline with its area code, "
                         "e.g. 010-12345678 or 0755-1234567-801."), code="phone")


def normalise_phone(value: str | None) -> str | None:
    """A phone number as stored (spaces dropped, +86 and 转 understood), None when empty; raises
    DomainError (422) for anything that is no mainland mobile or landline number."""
    text = re.sub(r"[\s\u3000]", "", value or "").replace("转", "-").replace("—", "-").replace("－", "-")
    if not text:
        return None
    text = re.sub(r"^(?:\+86|0086)-?(?=1)", "", text)
    if MOBILE_RE.match(text) or LANDLINE_RE.match(text):
        return text
    raise DomainError(PHONE_REASON, status=422)


def mask_phone(value: str | None) -> str | None:
    """A phone number for a timeline: the first three and last four characters, digits between hidden."""
    if not value or len(value) <= 7:
        return value
    return value[:3] + re.sub(r"\d", "*", value[3:-4]) + value[-4:]


def _ensure_admin_of(actor: User | None, unit: OrgUnit) -> None:
    """Accounts and roles at `unit` are given by its admins (`actor` None: the system)."""
    if actor is not None and not can_admin_unit(actor, unit):
        raise NotAllowed(Reason(N_("You do not administer %(unit)s."), {"unit": unit.name}, code="scope"))


def _ensure_manages(actor: User | None, user: User) -> None:
    """An account is managed by an admin whose scope holds every role it has (never by its own user)."""
    if actor is not None and not can_manage_user(actor, user):
        raise NotAllowed(Reason(N_("You do not manage this account."), code="manage"))


def _check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise DomainError(Reason(N_("At least %(min)d characters."), {"min": MIN_LENGTH}, code="short"),
                          status=422)


USERNAME_REASON = Reason(N_("Use 2–64 lower-case letters, digits, dots, dashes or underscores."), code="username")
TAKEN_REASON = Reason(N_("This username is taken."), code="username_taken")


@dataclass
class NewAccount:
    """One account to create: a username, a name, and the role it holds at a unit."""

    username: str
    full_name: str
    unit: OrgUnit
    role: Role
    post: Post | None = None
    phone: str | None = None


def create_user(actor: User | None, *, username: str, full_name: str, unit: OrgUnit, role: Role,
                post: Post | None = None, password: str | None = None, password_hash: str | None = None,
                phone: str | None = None) -> User:
    """Create an account holding `role` at `unit`; usernames are unique and lower-case.

    Give `password`, hashed here, or `password_hash`, made by the caller before the write
    transaction began (argon2 is slow, and SQLite has one writer); raises DomainError (422) for a
    malformed or taken username, a short password or a malformed phone number.
    """
    _ensure_admin_of(actor, unit)
    account = NewAccount(username.strip().lower(), full_name, unit, role, post, phone)
    _check_usernames([account.username])
    if password_hash is None:
        _check_password(password or "")
        password_hash = hash_password(password or "")
    return _add_users(actor, [account], password_hash)[0]


def _check_usernames(usernames: list[str]) -> None:
    """Raise DomainError (422) for a malformed username, or one already taken."""
    for username in usernames:
        if not USERNAME_RE.match(username):
            raise DomainError(USERNAME_REASON, status=422)
    if db.session.scalar(sa.select(User.id).where(User.username.in_(usernames)).limit(1)) is not None:
        raise DomainError(TAKEN_REASON, status=422)


def _add_users(actor: User | None, accounts: Sequence[NewAccount], password_hash: str) -> list[User]:
    """Add checked accounts: their users and roles in one batch of inserts, then their activity."""
    users = []
    for account in accounts:
        user = User(username=account.username, full_name=account.full_name.strip(), password_hash=password_hash,
                    phone=normalise_phone(account.phone))
        user.memberships.append(Membership(unit=account.unit, role=account.role, post=account.post))
        users.append(user)
    db.session.add_all(users)
    db.session.flush()
    for user, account in zip(users, accounts, strict=True):
        record_activity(actor, user, "created", after={"username": user.username, "unit": account.unit.name,
                                                       "role": account.role.value}, unit_id=account.unit.id)
    db.session.flush()
    return users


def update_user(actor: User, user: User, *, version: int, full_name: str, phone: str | None) -> User:
    """Edit a user's name and phone; refuses a stale form or a malformed phone number. The timeline
    records a changed phone number masked (138****5678): not everyone who reads it may see it."""
    _ensure_manages(actor, user)
    if version != user.version:
        raise StaleEdit(user)
    phone = normalise_phone(phone)
    before, after = changes(user, {"full_name": full_name.strip(), "phone": phone})
    if after:
        user.full_name, user.phone = full_name.strip(), phone
        for record in (before, after):
            if "phone" in record:
                record["phone"] = mask_phone(record["phone"])
        record_activity(actor, user, "updated", before=before, after=after,
                        unit_id=user.memberships[0].unit_id if user.memberships else None)
    db.session.flush()
    return user


def set_user_active(actor: User, user: User, active: bool) -> User:
    """Deactivated users cannot log in (and are logged out on their next request)."""
    if actor.id == user.id and not active:
        raise DomainError(Reason(N_("You cannot deactivate your own account."), code="self"))
    _ensure_manages(actor, user)
    if user.is_active_flag != active:
        user.is_active_flag = active
        record_activity(actor, user, "activated" if active else "deactivated",
                        before={"is_active": not active}, after={"is_active": active},
                        unit_id=user.memberships[0].unit_id if user.memberships else None)
    db.session.flush()
    return user


def grant_role(actor: User | None, user: User, unit: OrgUnit, role: Role, post: Post | None = None) -> Membership:
    """Give `user` a role at `unit` (covering its subtree); granting a held role again is refused."""
    _ensure_manages(actor, user)
    _ensure_admin_of(actor, unit)
    if any(m.unit_id == unit.id and m.role is role for m in user.memberships):
        raise DomainError(Reason(N_("%(user)s already holds this role at %(unit)s."),
                                 {"user": user.display_name, "unit": unit.name}, code="duplicate"),
                          status=422)
    membership = Membership(unit=unit, role=role, post=post)
    user.memberships.append(membership)
    record_activity(actor, user, "role_granted", after={"unit": unit.name, "role": role.value,
                                                        "post": post.value if post else None},
                    unit_id=unit.id)
    db.session.flush()
    return membership


def revoke_role(actor: User, membership: Membership) -> None:
    """Take a role away; a user keeps at least one role, so nobody is orphaned out of every scope."""
    user = membership.user
    if len(user.memberships) <= 1:
        raise DomainError(Reason(N_("A user must keep at least one role. Deactivate the account instead."),
                                 code="last_role"))
    if actor.id == user.id and membership.role is Role.admin:
        raise DomainError(Reason(N_("You cannot remove your own administrator role."), code="self"))
    _ensure_manages(actor, user)
    record_activity(actor, user, "role_revoked", before={"unit": membership.unit.name,
                                                         "role": membership.role.value},
                    unit_id=membership.unit_id)
    user.memberships.remove(membership)
    db.session.flush()


def reset_password(actor: User, user: User, password: str) -> None:
    """Give `user` a new password (hashed outside the write transaction: see `import_users`)."""
    _ensure_manages(actor, user)
    _check_password(password)
    user.password_hash = hash_password(password)
    record_activity(actor, user, "password_reset",
                    unit_id=user.memberships[0].unit_id if user.memberships else None)
    db.session.flush()


def import_users(actor: User, accounts: Sequence[NewAccount], password: str) -> list[User]:
    """Create every account of a checked import, all with one initial password. All or nothing:
    the caller commits once, or rolls back when this raises — NotAllowed for a unit outside the
    actor's admin scope, DomainError (422) for a short password or a username taken since the check.

    The password is hashed once, after the reading transaction has ended and before the writing
    one begins: argon2 is slow, and SQLite has one writer. The accounts are inserted in batches.
    """
    _check_password(password)
    for account in accounts:
        _ensure_admin_of(actor, account.unit)
    end_transaction()
    password_hash = hash_password(password)
    _check_usernames([a.username for a in accounts])
    return _add_users(actor, accounts, password_hash)
