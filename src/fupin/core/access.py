"""Who may act where: grants of a role over a region prefix, and the one choke point.

A grant on prefix P covers every region whose code starts with P (Wagtail's tree rule);
'' is the nation. `restrict(queryset, user, action)` keeps the rows the user may see or
act on: every page, API route, export and command that acts for a user starts from it,
and `access_get` answers missing and forbidden with the same 404 (NetBox's
RestrictedQuerySet, Wagtail's collection rule).

A model opts in with an `ACCESS = AccessRule(...)` class attribute naming the field that
holds its region code and the roles allowed each action; a model without one is refused
(fail closed), so a new model cannot leak by being forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string

from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.core.choices import OFFICE_PREFIX_LENGTH, Department, Role
from fupin.core.models import Grant
from fupin.core.rules import HEALTH_DEPARTMENT, PERSONAL_DATA_ROLES, AccessRule
from fupin.regions.queries import code_prefix_q


class GrantError(ValueError):
    """A grant that cannot be given (unknown role, wrong prefix for the office)."""


ACTIONS = ("view", "change")
ModelT = TypeVar("ModelT", bound=models.Model)
UserLike = AbstractBaseUser | AnonymousUser | None


def restrict(queryset: QuerySet[ModelT], user: UserLike, action: str) -> QuerySet[ModelT]:
    """The rows of `queryset` that `user` may take `action` on: those whose region lies under
    a prefix of one of the user's grants of a role the model allows for the action."""
    rule = access_rule(queryset.model)
    if action not in ACTIONS:
        raise ImproperlyConfigured(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    allowed = rule.roles(action)
    holder = _user(user)
    prefixes = _minimal(user_prefixes(holder, allowed)) if allowed else []
    if "" in prefixes:
        return queryset
    reach = [code_prefix_q(prefix, rule.region_field) for prefix in prefixes]
    for own in rule.own if action == "view" and holder is not None else ():
        own_prefixes = _minimal(user_prefixes(holder, {own.role}))
        if own_prefixes:
            inside = reduce(or_, (code_prefix_q(p, rule.region_field) for p in own_prefixes))
            reach.append(inside & import_string(own.rows)(holder, own.field))
    if not reach:
        return queryset.none()
    return queryset.filter(reduce(or_, reach))


def access_get(queryset: QuerySet[ModelT], user: UserLike, action: str, **lookup: Any) -> ModelT:
    """One row by `lookup` if `user` may take `action` on it; missing and forbidden alike
    raise Http404, so that a probe learns nothing of what lies outside its scope."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(f"no {queryset.model._meta.verbose_name} here") from None


def access_rule(model: type[models.Model]) -> AccessRule:
    """The model's access rule; a model without one is never served to a user."""
    rule = getattr(model, "ACCESS", None)
    if not isinstance(rule, AccessRule):
        raise ImproperlyConfigured(f"{model._meta.label} declares no ACCESS rule")
    return rule


def personal_data_visible(user: UserLike, code: str) -> bool:
    """Whether `user` sees ID numbers, phones and bank accounts in full in region `code`."""
    return bool(roles_at(_user(user), code) & PERSONAL_DATA_ROLES)


def health_visible(user: UserLike, code: str) -> bool:
    """Whether `user` sees health data (a health department sees it too)."""
    user = _user(user)
    if roles_at(user, code) & PERSONAL_DATA_ROLES:
        return True
    return any(
        prefix_covers(grant.region_prefix, code)
        for grant in active_grants(user).filter(role=Role.DEPARTMENT, department=HEALTH_DEPARTMENT)
    )


def _user(user: UserLike) -> AbstractBaseUser | None:
    return None if user is None or isinstance(user, AnonymousUser) else user


def _minimal(prefixes: Iterable[str]) -> list[str]:
    """The prefixes not covered by a shorter one (a nation grant covers everything)."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes), key=len):
        if not any(prefix.startswith(shorter) for shorter in kept):
            kept.append(prefix)
    return kept


def prefix_covers(prefix: str, code: str) -> bool:
    """Whether a grant on `prefix` covers the region `code`."""
    return code.startswith(prefix)


def active_grants(user: AbstractBaseUser | None) -> QuerySet[Grant]:
    """The user's grants in force now."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Grant.objects.none()
    return Grant.objects.filter(user_id=user.pk, revoked_at__isnull=True)


def roles_at(user: AbstractBaseUser | None, code: str) -> set[str]:
    """The roles the user holds over region `code` (by any grant whose prefix covers it)."""
    return {
        grant.role
        for grant in active_grants(user).only("role", "region_prefix")
        if prefix_covers(grant.region_prefix, code)
    }


def user_prefixes(user: AbstractBaseUser | None, roles: Iterable[str]) -> list[str]:
    """The region prefixes over which the user holds any of `roles`."""
    return sorted(
        set(
            active_grants(user).filter(role__in=list(roles)).values_list("region_prefix", flat=True)
        )
    )


def grant_add(
    *,
    user: AbstractBaseUser,
    role: str,
    region_prefix: str,
    actor: Actor,
    department: str = "",
) -> Grant:
    """Give `user` the `role` over `region_prefix` (an office's prefix has its level's length)."""
    if role not in Role.values:
        raise GrantError(f"unknown role {role!r}; one of {', '.join(Role.values)}")
    expected = OFFICE_PREFIX_LENGTH.get(Role(role))
    if expected is not None and len(region_prefix) != expected:
        raise GrantError(
            f"a {role} grant needs a {expected}-digit region prefix, not {region_prefix!r}"
        )
    if not region_prefix.isdigit() and region_prefix:
        raise GrantError(f"region prefix must be digits: {region_prefix!r}")
    if (role == Role.DEPARTMENT) != bool(department):
        raise GrantError("a department grant names its department, and only it does")
    if department and department not in Department.values:
        raise GrantError(f"unknown department {department!r}")
    with transaction.atomic():
        grant, created = Grant.objects.get_or_create(
            user_id=user.pk, role=role, region_prefix=region_prefix, department=department,
            revoked_at__isnull=True, defaults={"granted_at": timezone.now()},
        )  # fmt: skip
        if created:
            audit_record(actor=actor, spec=_grant_event("grant.add", grant))
    return grant


def grant_revoke(*, grant: Grant, actor: Actor) -> Grant:
    """End a grant; it stays on record with its end date."""
    with transaction.atomic():
        if grant.revoked_at is None:
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at"])
            audit_record(actor=actor, spec=_grant_event("grant.revoke", grant))
    return grant


def _grant_event(action: str, grant: Grant) -> EventSpec:
    return EventSpec(
        action=action,
        object_type="grant",
        object_id=str(grant.pk),
        region_code=grant.region_prefix,
        after={"user": grant.user_id, "role": grant.role, "department": grant.department,
               "region_prefix": grant.region_prefix},
    )  # fmt: skip


def grants_bulk_add(*, rows: list[tuple[int, str, str]], actor: Actor) -> int:
    """Give many posts at once (user id, role, region prefix), checked like `grant_add`,
    with one audit event that lists them; for setting up a county's or a simulation's posts."""
    now = timezone.now()
    for _, role, prefix in rows:
        expected = OFFICE_PREFIX_LENGTH.get(Role(role))
        if expected is not None and len(prefix) != expected:
            raise GrantError(f"a {role} grant needs a {expected}-digit prefix, not {prefix!r}")
    with transaction.atomic():
        Grant.objects.bulk_create(
            [Grant(user_id=user, role=role, region_prefix=prefix, granted_at=now)
             for user, role, prefix in rows],
            batch_size=5000,
        )  # fmt: skip
        audit_record(
            actor=actor,
            spec=EventSpec(
                action="grant.add_many", object_type="grant",
                after={"count": len(rows), "grants": [list(row) for row in rows[:1000]]},
            ),
        )  # fmt: skip
    return len(rows)
