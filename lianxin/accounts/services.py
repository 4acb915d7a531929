"""Staff accounts and role grants. Role changes are audited (DESIGN rule 3)."""

from __future__ import annotations

from django.db import transaction

from lianxin.core import audit
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import ROLE_CHOICES, require

from .models import StaffRole, User


@transaction.atomic
def create_staff_user(*, actor, username: str, password: str, display_name: str = "") -> User:
    if User.objects.filter(username=username).exists():
        raise ServiceError("用户名已存在", field="username")
    user = User(username=username, display_name=display_name, is_staff=True)
    user.set_password(password)
    user.save()
    audit.record(actor=actor, action="user.create", obj=user, detail={"username": username})
    return user


@transaction.atomic
def grant_role(*, actor, user: User, organization, role: str) -> StaffRole:
    if role not in dict(ROLE_CHOICES):
        raise ServiceError("角色无效", field="role")
    if actor is not None:
        require(actor, "change", organization.path)
    grant, created = StaffRole.objects.get_or_create(user=user, organization=organization, role=role)
    if not grant.active:
        grant.active = True
        grant.save(update_fields=["active"])
    if not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
    audit.record(actor=actor, action="role.grant", obj=grant, org_path=organization.path,
                 detail={"user": user.username, "role": role})
    return grant


@transaction.atomic
def revoke_role(*, actor, grant: StaffRole) -> None:
    require(actor, "change", grant.organization.path)
    StaffRole.objects.filter(pk=grant.pk).update(active=False)
    audit.record(actor=actor, action="role.revoke", obj=grant, org_path=grant.organization.path,
                 detail={"user": grant.user.username, "role": grant.role})
