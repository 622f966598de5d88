"""The visit pages: a paired cadre's own households, logging a visit (with photos and the
place), the overdue lists for the village, township and county, and a visit's photos.

Every page reads through `core.access` (`access_get`, `restrict`); out of scope and
missing answer the same 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.access import access_get, restrict
from fupin.core.audit import Actor
from fupin.monitoring.models import VisitPhoto
from fupin.monitoring.queries import (
    LEVEL_LENGTHS,
    overdue_by_cadre,
    overdue_counts,
    overdue_households,
)
from fupin.monitoring.services import PHOTO_MAX_BYTES, PHOTOS_MAX, Photo, VisitError, visit_log
from fupin.pairing.models import Assignment, Cadre
from fupin.regions.models import Region
from fupin.registry.models import Household

OVERDUE_SHOWN = 100


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one file input."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > PHOTOS_MAX:
            raise ValidationError(_("照片最多 %(n)s 张") % {"n": PHOTOS_MAX})
        # Checked before a photo is read into memory; the service checks the bytes again.
        for item in files:
            if getattr(item, "size", 0) > PHOTO_MAX_BYTES:
                raise ValidationError(
                    _("照片“%(name)s”超过 %(mb)s MB")
                    % {"name": item.name, "mb": PHOTO_MAX_BYTES >> 20}
                )
        return [super(PhotosField, self).clean(item, initial) for item in files]


class VisitForm(forms.Form):
    """A visit as the cadre (or the village, from the paper log) enters it."""

    cadre = forms.TypedChoiceField(label=_("走访干部"), coerce=int, required=False)
    visited_on = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    found = forms.CharField(label=_("了解到的情况"), widget=forms.Textarea(attrs={"rows": 4}),
                            max_length=4000)  # fmt: skip
    agreed = forms.CharField(label=_("商定的措施和下一步"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    latitude = forms.DecimalField(label=_("纬度"), required=False, max_digits=9,
                                  decimal_places=6, min_value=-90, max_value=90)  # fmt: skip
    longitude = forms.DecimalField(label=_("经度"), required=False, max_digits=9,
                                   decimal_places=6, min_value=-180, max_value=180)  # fmt: skip
    photos = PhotosField(
        label=_("照片（可选，JPEG或PNG）"), required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )  # fmt: skip

    def __init__(self, *args: Any, cadres: list[Cadre], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["cadre"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(c.pk, f"{c.name}（{c.unit}）") for c in cadres]
        if len(cadres) <= 1:
            field.widget = forms.HiddenInput()


def _own_cadre(request: HttpRequest) -> Cadre | None:
    if not request.user.is_authenticated:
        return None
    return Cadre.objects.filter(user_id=int(request.user.pk)).first()


@login_required
@require_GET
def my_households(request: HttpRequest) -> HttpResponse:
    """A paired cadre's households today: last visit, overdue or not, card and visit links."""
    cadre = _own_cadre(request)
    today = timezone.localdate()
    rows: list[tuple[Household, Any, bool]] = []
    if cadre is not None:
        mine = Assignment.objects.filter(cadre=cadre, ended_on=None).values("household_id")
        households = restrict(Household.objects.filter(pk__in=mine), request.user, "view")
        overdue = set(
            overdue_households(user=request.user, on=today)
            .filter(pk__in=mine)
            .values_list("pk", flat=True)
        )
        annotated = households.annotate(last_visit=Max("visits__visited_on"))
        for household in annotated.order_by("village_id", "household_no"):
            last_visit = household.last_visit
            rows.append((household, last_visit, household.pk in overdue))
    return render(request, "monitoring/mine.html", {
        "section": "mine", "cadre": cadre, "rows": rows, "today": today,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, household_id: int) -> HttpResponse:
    """Log a visit to a household."""
    household = access_get(Household.objects.select_related("village"), request.user, "view",
                           pk=household_id)  # fmt: skip
    own = _own_cadre(request)
    paired = restrict(Assignment.objects.filter(household=household), request.user, "view")
    cadres = list(
        Cadre.objects.filter(pk__in=paired.values("cadre_id")).distinct().order_by("name")
    )
    if own is not None and any(c.pk == own.pk for c in cadres):
        cadres = [own]
    form = VisitForm(request.POST or None, request.FILES or None, cadres=cadres,
                     initial={"visited_on": timezone.localdate()})  # fmt: skip
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next((c for c in cadres if c.pk == data.get("cadre")), None)
        if chosen is None and len(cadres) == 1:
            chosen = cadres[0]
        photos = [Photo(f.name, f.read()) for f in data["photos"]]
        try:
            visit_log(
                household=household, on=data["visited_on"], found=data["found"],
                agreed=data["agreed"], actor=Actor.of(request.user), cadre=chosen,
                latitude=data.get("latitude"), longitude=data.get("longitude"),
                photos=photos,
            )  # fmt: skip
        except VisitError as exc:
            error = str(exc)
        else:
            messages.success(request, _("走访已记录。"))
            return redirect("web:household", household_id=household.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "monitoring/visit_new.html", {
        "section": "households", "household": household, "form": form, "error": error,
        "no_cadre": not cadres,
    }, status=status)  # fmt: skip


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """Households whose visit is overdue, counted by township, village and cadre."""
    today = timezone.localdate()
    region = request.GET.get("region", "")
    if not region.isdigit() or len(region) > 12:
        region = ""
    by_township = overdue_counts(user=request.user, on=today, prefix=region, by="township")
    by_village = overdue_counts(user=request.user, on=today, prefix=region, by="village")
    by_cadre = overdue_by_cadre(user=request.user, on=today, prefix=region)
    names = dict(
        Region.objects.filter(code__in=[c for c, _ in by_township + by_village]).values_list(
            "code", "name"
        )
    )
    cadres = Cadre.objects.in_bulk([pk for pk, _ in by_cadre[:OVERDUE_SHOWN]])
    households = list(
        overdue_households(user=request.user, on=today, prefix=region)
        .select_related("village")
        .order_by("since", "village_id", "household_no")[:OVERDUE_SHOWN]  # type: ignore[misc]
    )
    return render(request, "monitoring/overdue.html", {
        "section": "overdue", "today": today, "region": region,
        "townships": [(c, names.get(c, ""), n) for c, n in by_township],
        "villages": [(c, names.get(c, ""), n) for c, n in by_village[:OVERDUE_SHOWN]],
        "cadres": [(cadres.get(pk), n) for pk, n in by_cadre[:OVERDUE_SHOWN]],
        "households": households, "shown": OVERDUE_SHOWN,
        "levels": LEVEL_LENGTHS,
    })  # fmt: skip


@login_required
@require_GET
def visit_photo(request: HttpRequest, photo_id: int) -> FileResponse:
    """A visit's photo, for those who may see the visit."""
    photo = access_get(VisitPhoto.objects.all(), request.user, "view", pk=photo_id)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404("no such photo") from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
