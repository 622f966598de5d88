"""Writes of monitoring: logging a cadre's visit to a household, with its photos.

A visit is logged by the cadre themself (through their login: the household must be one
of theirs today) or, from the cadre's paper log, by a keeper of the village's register.
It runs in one transaction with its audit event; photos are checked as images first, so
a bad photo refuses the whole visit and nothing is stored.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from fupin.core.access import roles_at
from fupin.core.audit import Actor, EventSpec, audit_record
from fupin.core.choices import Role
from fupin.core.rules import KEEPERS
from fupin.monitoring.models import Visit, VisitPhoto, photo_storage
from fupin.pairing.models import Assignment, Cadre
from fupin.pairing.services import PAIRED_STATUSES
from fupin.registry.models import Household

PHOTO_MAX_BYTES = 8 * 2**20
PHOTOS_MAX = 6
PHOTO_TYPES = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
TEXT_MAX = 4000


class VisitError(ValueError):
    """A visit refused; `code` is stable, the message says why."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Photo:
    """A photo as uploaded: its name and bytes."""

    name: str
    content: bytes


def visit_log(
    *,
    household: Household,
    on: date,
    found: str,
    agreed: str = "",
    actor: Actor,
    cadre: Cadre | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photos: Sequence[Photo] = (),
) -> Visit:
    """Record a visit to `household` on `on` by its paired cadre (the actor's own cadre, or
    `cadre` when a keeper of the village enters it from the paper log)."""
    cadre = _visitor(actor, household, cadre)
    if on > timezone.localdate():
        raise VisitError("date_in_future", "a visit is logged after it took place")
    found, agreed = found.strip(), agreed.strip()
    if not found:
        raise VisitError("found_missing", "say what was found on the visit")
    if len(found) > TEXT_MAX or len(agreed) > TEXT_MAX:
        raise VisitError("text_too_long", f"at most {TEXT_MAX} characters a field")
    if (latitude is None) != (longitude is None):
        raise VisitError("location_invalid", "a location has a latitude and a longitude")
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise VisitError("location_invalid", "the location is not on the earth")
    if len(photos) > PHOTOS_MAX:
        raise VisitError("photos_too_many", f"at most {PHOTOS_MAX} photos a visit")
    checked = [_checked_photo(photo) for photo in photos]
    stored: list[str] = []
    try:
        with transaction.atomic():
            visit = _visit_write(household, cadre, on, found, agreed, latitude, longitude,
                                 actor, checked, stored)  # fmt: skip
    except BaseException:
        for name in stored:  # a refused or failed visit leaves no file behind
            photo_storage.delete(name)
        raise
    return visit


def _visit_write(
    household: Household,
    cadre: Cadre,
    on: date,
    found: str,
    agreed: str,
    latitude: Decimal | None,
    longitude: Decimal | None,
    actor: Actor,
    checked: list[tuple[bytes, str, str]],
    stored: list[str],
) -> Visit:
    assigned = Assignment.objects.filter(household=household, cadre=cadre)
    if not assigned.filter(started_on__lte=on).exists():
        raise VisitError("not_paired_then", "the cadre was not paired with the household then")
    visit = Visit.objects.create(
        household=household, cadre=cadre, visited_on=on, found=found, agreed=agreed,
        latitude=latitude, longitude=longitude,
        logged_by_id=actor.user_id, created_at=timezone.now(),
    )  # fmt: skip
    for content, content_type, suffix in checked:
        photo = VisitPhoto(visit=visit, content_type=content_type, size=len(content))
        photo.image.save(f"visit{visit.pk}{suffix}", ContentFile(content), save=False)
        stored.append(str(photo.image.name))
        photo.save()
    audit_record(
        actor=actor,
        spec=EventSpec(
            action="visit.log", object_type="household", object_id=str(household.pk),
            region_code=household.village_id,
            after={"visit": visit.pk, "cadre": cadre.pk, "on": on.isoformat(),
                   "photos": len(checked)},
        ),
    )  # fmt: skip
    return visit


def _visitor(actor: Actor, household: Household, cadre: Cadre | None) -> Cadre:
    """The cadre who visited: the actor's own (for their households today), or the one a
    keeper of the village names."""
    if household.status not in PAIRED_STATUSES:
        raise VisitError("not_on_register", "visits are logged for households on the register")
    if actor.user is None:
        if cadre is None:
            raise VisitError("cadre_missing", "say which cadre visited")
        return cadre
    roles = roles_at(actor.user, household.village_id)
    own = Cadre.objects.filter(user_id=actor.user.pk).first()
    if (
        own is not None
        and (cadre is None or cadre.pk == own.pk)
        and Role.PAIRED_CADRE in roles
        and Assignment.objects.filter(household=household, cadre=own, ended_on__isnull=True)
    ):
        return own
    if roles & KEEPERS:
        if cadre is None:
            raise VisitError("cadre_missing", "say which cadre visited")
        return cadre
    raise VisitError(
        "role_not_allowed", "a visit is logged by the household's cadre or the village"
    )


def _checked_photo(photo: Photo) -> tuple[bytes, str, str]:
    if len(photo.content) > PHOTO_MAX_BYTES:
        raise VisitError("photo_too_large", f"{photo.name}: larger than {PHOTO_MAX_BYTES >> 20} MB")
    try:
        with Image.open(io.BytesIO(photo.content)) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise VisitError("photo_invalid", f"{photo.name}: not a JPEG or PNG image") from None
    if kind not in PHOTO_TYPES:
        raise VisitError("photo_invalid", f"{photo.name}: not a JPEG or PNG image")
    content_type, suffix = PHOTO_TYPES[kind]
    return photo.content, content_type, suffix
