"""The division tree's API route: a region and its children.

`{code}` is a region code, or the literal `nation` for the whole country (the provinces),
which only a user with a nation-wide grant sees. Regions go through
`core.access.restrict`: one outside the user's scope is not found, like a missing one.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema

from fupin.core.access import access_get, access_rule, restrict, user_prefixes
from fupin.core.api import api_user, responses
from fupin.regions.models import Level, Region

router = Router(tags=["regions"])

NATION = "nation"
RegionCode = Annotated[
    str,
    Path(
        pattern=r"^(nation|[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
        description="a region code, or `nation`",
    ),
]


class RegionChildOut(Schema):
    """A region below another."""

    code: str
    name: str
    level: int
    kind: str
    is_western: bool
    retired_in: int | None


class RegionOut(RegionChildOut):
    """A region with its parent's code and its children."""

    parent_code: str | None
    children: list[RegionChildOut]


def _row(region: Region) -> dict[str, Any]:
    return {"code": region.code, "name": region.name, "level": region.level,
            "kind": region.kind, "is_western": region.is_western,
            "retired_in": region.retired_in}  # fmt: skip


@router.get("/regions/{code}", response=responses({200: RegionOut}), summary="A region")
def region_detail(request: HttpRequest, code: RegionCode) -> dict[str, Any]:
    """A region and the regions directly below it (retired ones say since when)."""
    user = api_user(request)
    if code == NATION:
        if "" not in user_prefixes(user, access_rule(Region).roles("view")):
            raise Http404("no region here")
        provinces = restrict(Region.objects.filter(level=Level.PROVINCE), user, "view")
        return {"code": "", "name": _("全国"), "level": 0, "kind": "", "is_western": False,
                "retired_in": None, "parent_code": None,
                "children": [_row(region) for region in provinces.order_by("code")]}  # fmt: skip
    region = access_get(Region.objects.all(), user, "view", code=code)
    children = restrict(Region.objects.filter(parent_id=region.code), user, "view")
    return {**_row(region), "parent_code": region.parent_id,
            "children": [_row(child) for child in children.order_by("code")]}  # fmt: skip
