"""Who stands where to a subject of evaluation: the office above it (which scores it down,
records the recommendation, and whose own office above decides an appeal), the posts
below it (which score it up) and the subject's own post (which appeals).

A post is a role over a region prefix, as a grant gives it. The region code is the
hierarchy (ARCHITECTURE.md, idea 1), so every relation here is a matter of code lengths:

- a village is scored by its township, a township by its county, a county by its
  prefecture; a cadre by the office where they are registered (a village's cadre by the
  township: villages have posts, not offices);
- a township is scored up by its villages' posts (village cadres, first secretaries, work
  teams), a county by its townships, and any unit by the cadres registered in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from fupin.core.access import active_grants
from fupin.core.choices import Role
from fupin.core.rules import VILLAGE_POSTS
from fupin.pairing.models import Cadre

OFFICE_AT_LENGTH = {0: Role.NATIONAL, 2: Role.PROVINCE, 4: Role.PREFECTURE, 6: Role.COUNTY,
                    9: Role.TOWNSHIP}  # fmt: skip
PARENT_LENGTH = {12: 9, 9: 6, 6: 4, 4: 2, 2: 0}
# The posts one level below a unit, by the unit's code length, that score it up.
POSTS_BELOW = {9: (12, VILLAGE_POSTS), 6: (9, frozenset({Role.TOWNSHIP}))}


@dataclass(frozen=True)
class Post:
    """A role over a region prefix."""

    role: str
    region: str


def superior_of(*, cadre: Cadre | None, region_code: str) -> Post:
    """The office that scores the subject down and records what its evaluation leads to."""
    if cadre is not None:
        code = cadre.region_code
        length = len(code) if len(code) in OFFICE_AT_LENGTH else PARENT_LENGTH[len(code)]
        return Post(OFFICE_AT_LENGTH[length], code[:length])
    parent = PARENT_LENGTH[len(region_code)]
    return Post(OFFICE_AT_LENGTH[parent], region_code[:parent])


def office_above(post: Post) -> Post | None:
    """The office one level above an office (None above the national office)."""
    if not post.region:
        return None
    parent = PARENT_LENGTH[len(post.region)]
    return Post(OFFICE_AT_LENGTH[parent], post.region[:parent])


def holds(user: AbstractBaseUser | None, post: Post) -> bool:
    """Whether the user holds exactly this post by a grant in force."""
    grants = active_grants(user).filter(role=post.role, region_prefix=post.region)
    return grants.exists()


def post_below(user: AbstractBaseUser | None, unit_code: str) -> Post | None:
    """The user's post below the unit from which they score it up, if any: a post of one
    of its villages or townships, or as a cadre registered in the unit."""
    if user is None:
        return None
    length, roles = POSTS_BELOW.get(len(unit_code), (0, frozenset()))
    for role, prefix in active_grants(user).values_list("role", "region_prefix"):
        if role in roles and len(prefix) == length and prefix.startswith(unit_code):
            return Post(role, prefix)
    if Cadre.objects.filter(user_id=user.pk, region_code=unit_code).exists():
        return Post(Role.PAIRED_CADRE, unit_code)
    return None


def subject_post(user: AbstractBaseUser | None, *, cadre: Cadre | None, region_code: str) -> bool:
    """Whether the user speaks for the subject: the cadre themself, or the unit's own
    office (a village's posts for a village)."""
    if user is None:
        return False
    if cadre is not None:
        return cadre.user_id == user.pk
    roles = (
        {OFFICE_AT_LENGTH[len(region_code)]}
        if len(region_code) in OFFICE_AT_LENGTH
        else VILLAGE_POSTS
    )
    return active_grants(user).filter(role__in=list(roles), region_prefix=region_code).exists()
