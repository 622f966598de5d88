"""Reads of the evaluation of cadres and units: the scorecards of a region and year, one
subject's scorecard, its scores and recommendations, and who may see them.

Each source of the scorecard is read with one query over the households the user may
view (`core.access.restrict`), then the pure kernel (`evaluation.kernels`) builds every
subject's figures at once: never a query per cadre or per unit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fupin.core.access import UserLike, restrict, roles_at, user_prefixes
from fupin.monitoring.evaluation import kernels
from fupin.monitoring.evaluation.choices import UNIT_CODE_LENGTH, UnitLevel
from fupin.monitoring.evaluation.posts import post_below
from fupin.monitoring.models import (
    EVALUATION_READERS,
    Evaluation,
    Recommendation,
    RecommendationAppeal,
    Visit,
)
from fupin.monitoring.queries import visit_intervals
from fupin.pairing.models import Assignment, Cadre, CardObjection, CardRating
from fupin.pairing.services import PAIRED_STATUSES
from fupin.regions.models import Level, Region
from fupin.regions.queries import code_prefix_q
from fupin.registry.models import Household, StatusTransition
from fupin.support.queries import coverage_gaps

FIRST_YEAR = 2014
CADRES = "cadre"
LEVELS = (CADRES, *UnitLevel.values)
UNIT_LEVEL_OF_LENGTH = {6: Level.COUNTY, 9: Level.TOWNSHIP, 12: Level.VILLAGE}


def _frame(rows: Any, schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _year_span(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def scorecard_sources(
    *,
    user: UserLike,
    households: QuerySet[Household],
    prefix: str,
    year: int,
    as_of: date,
    evaluations: QuerySet[Evaluation],
) -> kernels.Sources:
    """The scorecard's sources over `households` (already restricted), one query each."""
    ids = households.values("pk")
    first, last = date(year, 1, 1), date(year, 12, 31)
    assignments = Assignment.objects.filter(primary=True, household__in=ids, started_on__lte=last)
    assignments = assignments.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first))
    visits = (
        Visit.objects.filter(household__in=ids, visited_on__lte=as_of)
        .order_by()
        .values("household_id")
        .annotate(last=Max("visited_on"))
        .values_list("household_id", "last")
    )
    moves = StatusTransition.objects.filter(
        household__in=ids, to_status__in=[kernels.EXITED, kernels.RETURNED], year__gte=year
    )
    gaps = coverage_gaps(user=user, prefix=prefix, year=year).households.filter(pk__in=ids)
    start, end = _year_span(year)
    objections = CardObjection.objects.filter(
        household__in=ids, created_at__gte=start, created_at__lt=end
    )
    return kernels.Sources(
        households=_frame(
            households.filter(status__in=PAIRED_STATUSES).values_list("pk", "village_id"),
            kernels.HOUSEHOLD_SCHEMA,
        ),
        assignments=_frame(
            assignments.values_list("household_id", "cadre_id", "started_on", "ended_on"),
            kernels.ASSIGNMENT_SCHEMA,
        ),
        last_visits=_frame(visits, kernels.VISIT_SCHEMA),
        transitions=_frame(
            moves.values_list("household_id", "household__village_id", "to_status", "year", "date"),
            kernels.TRANSITION_SCHEMA,
        ),
        coverage_gaps=_frame(gaps.order_by().values_list("pk"), kernels.GAP_SCHEMA),
        # An objection counts as upheld once the township answered it as found true.
        objections=_frame(
            (
                (household, village, cadre, upheld is True)
                for household, village, cadre, upheld in objections.values_list(
                    "household_id", "household__village_id", "card__cadre_id", "upheld"
                )
            ),
            kernels.OBJECTION_SCHEMA,
        ),
        ratings=_frame(
            CardRating.objects.filter(household__in=ids, year=year).values_list(
                "household_id", "household__village_id", "cadre_id", "satisfaction"
            ),
            kernels.RATING_SCHEMA,
        ),
        evaluations=_frame(
            evaluations.filter(year=year).values_list(
                "cadre_id", "region_code", "direction", "score"
            ),
            kernels.EVALUATION_SCHEMA,
        ),
    )


def _intervals(year: int, prefix: str) -> kernels.Intervals:
    national, provinces = visit_intervals(year=year, prefix=prefix)
    return kernels.Intervals(national, provinces)


def as_of(year: int) -> date:
    """The day the year's scorecard is taken on."""
    return kernels.as_of_day(year, timezone.localdate())


def cadre_rows(
    *, user: UserLike, cadres: QuerySet[Cadre], households: QuerySet[Household], prefix: str,
    year: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """The scorecards of `cadres` over `households`, best first, each with its `cadre`."""
    by_id = {cadre.pk: cadre for cadre in cadres}
    day = as_of(year)
    evaluations = Evaluation.objects.filter(cadre__in=cadres.values("pk"))
    sources = scorecard_sources(
        user=user, households=households, prefix=prefix, year=year, as_of=day,
        evaluations=restrict(evaluations, user, "view"),
    )  # fmt: skip
    frame = kernels.cadre_scorecards(
        pl.Series(list(by_id), dtype=pl.Int64), sources, year=year, as_of=day,
        intervals=_intervals(day.year, prefix),
    )  # fmt: skip
    return [{**row, "cadre": by_id[int(row["subject"])]} for row in frame.to_dicts()]


def unit_rows(
    *, user: UserLike, units: list[Region], prefix: str, year: int
) -> list[dict[str, Any]]:
    """The scorecards of `units` (one level), best first, each with its `unit`."""
    by_code = {unit.code: unit for unit in units}
    if not by_code:
        return []
    day = as_of(year)
    households = restrict(Household.objects.all(), user, "view").filter(
        code_prefix_q(prefix, "village_id")
    )
    evaluations = restrict(Evaluation.objects.filter(cadre__isnull=True), user, "view").filter(
        region_code__in=list(by_code)
    )
    sources = scorecard_sources(user=user, households=households, prefix=prefix, year=year,
                                as_of=day, evaluations=evaluations)  # fmt: skip
    frame = kernels.unit_scorecards(
        pl.Series(list(by_code), dtype=pl.String), sources, year=year, as_of=day,
        intervals=_intervals(day.year, prefix),
    )  # fmt: skip
    return [{**row, "unit": by_code[row["subject"]]} for row in frame.to_dicts()]


def scorecards(*, user: UserLike, prefix: str, year: int, level: str) -> list[dict[str, Any]]:
    """The scorecards of a region and year, best first: of the cadres registered under
    `prefix` (level 'cadre') or of its villages, townships or counties."""
    if level == CADRES:
        cadres = restrict(Cadre.objects.all(), user, "view").filter(
            code_prefix_q(prefix, "region_code")
        )
        households = restrict(Household.objects.all(), user, "view").filter(
            code_prefix_q(prefix, "village_id")
        )
        return cadre_rows(user=user, cadres=cadres, households=households, prefix=prefix,
                          year=year)  # fmt: skip
    return unit_rows(user=user, units=units_in_view(user=user, prefix=prefix, level=level,
                                                    year=year),
                     prefix=prefix, year=year)  # fmt: skip


def units_in_view(*, user: UserLike, prefix: str, level: str, year: int) -> list[Region]:
    """The villages, townships or counties under `prefix` that the user reads (an
    evaluation reader's grant covers them), current in `year`."""
    length = UNIT_CODE_LENGTH[UnitLevel(level)]
    reach = _reader_reach(user)
    if reach is None:
        return []
    regions = Region.objects.filter(
        code_prefix_q(prefix), reach, level=UNIT_LEVEL_OF_LENGTH[length]
    )
    regions = regions.filter(Q(retired_in__isnull=True) | Q(retired_in__gt=year))
    return list(regions.order_by("code"))


def _reader_reach(user: UserLike) -> Q | None:
    holder = None if user is None or not user.is_authenticated else user
    prefixes = user_prefixes(holder, EVALUATION_READERS)
    if not prefixes:
        return None
    return Q(*[code_prefix_q(p) for p in prefixes], _connector=Q.OR)


def access_cadre(user: UserLike, cadre_id: int) -> Cadre:
    """A cadre the user may see the scorecard of (in their view, or themself); else 404."""
    cadre = restrict(Cadre.objects.all(), user, "view").filter(pk=cadre_id).first()
    if cadre is None and user is not None and user.is_authenticated:
        cadre = Cadre.objects.filter(pk=cadre_id, user_id=user.pk).first()
    if cadre is None:
        raise Http404("no cadre here")
    return cadre


def access_unit(user: UserLike, code: str) -> Region:
    """A village, township or county the user reads, or scores from below; else 404."""
    region = None
    if code.isdigit() and len(code) in UNIT_LEVEL_OF_LENGTH:
        region = Region.objects.filter(code=code, level=UNIT_LEVEL_OF_LENGTH[len(code)]).first()
    holder = None if user is None or not user.is_authenticated else user
    if region is None or not (reads_unit(holder, code) or post_below(holder, code)):
        raise Http404("no unit here")
    return region


def reads_unit(user: UserLike, code: str) -> bool:
    """Whether the user reads the whole unit (an evaluation reader's grant covers it), and
    so sees its figures."""
    holder = None if user is None or not user.is_authenticated else user
    return bool(roles_at(holder, code) & EVALUATION_READERS)


def cadre_scorecard(*, user: UserLike, cadre: Cadre, year: int) -> dict[str, Any]:
    """One cadre's scorecard for the year, over the households they ever answered for."""
    households = restrict(Household.objects.all(), user, "view").filter(
        pk__in=Assignment.objects.filter(cadre=cadre).values("household_id")
    )
    rows = cadre_rows(user=user, cadres=Cadre.objects.filter(pk=cadre.pk), households=households,
                      prefix=cadre.region_code, year=year)  # fmt: skip
    return rows[0]


def unit_scorecard(*, user: UserLike, unit: Region, year: int) -> dict[str, Any]:
    """One unit's scorecard for the year."""
    return unit_rows(user=user, units=[unit], prefix=unit.code, year=year)[0]


def subject_evaluations(
    *, user: UserLike, cadre: Cadre | None, region_code: str, year: int
) -> QuerySet[Evaluation]:
    """The scores of the subject in the year the user may see (their own always)."""
    rows = Evaluation.objects.filter(year=year)
    rows = rows.filter(cadre=cadre) if cadre else rows.filter(cadre__isnull=True,
                                                             region_code=region_code)  # fmt: skip
    seen = restrict(rows, user, "view")
    if user is not None and user.is_authenticated:
        seen = seen | rows.filter(evaluator_id=user.pk)
    return seen.select_related("evaluator").order_by("direction", "-entered_at")


def subject_recommendations(
    *, user: UserLike, cadre: Cadre | None, region_code: str
) -> QuerySet[Recommendation]:
    """The subject's recommendations the user may see, newest first, with their appeal."""
    rows = Recommendation.objects.filter(cadre=cadre) if cadre else Recommendation.objects.filter(
        cadre__isnull=True, region_code=region_code
    )  # fmt: skip
    return _with_appeal(restrict(rows, user, "view")).order_by("-year", "-recorded_at")


def _with_appeal(rows: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    return rows.select_related("cadre", "recorded_by").prefetch_related("appeal")


def access_recommendation(user: UserLike, pk: int) -> Recommendation:
    """One recommendation the user may see, or the same 404 for missing and forbidden."""
    row = _with_appeal(restrict(Recommendation.objects.all(), user, "view")).filter(pk=pk).first()
    if row is None:
        raise Http404("no recommendation here")
    return row


def recommendation_appeal(recommendation: Recommendation) -> RecommendationAppeal | None:
    """The recommendation's appeal, if one was lodged."""
    return RecommendationAppeal.objects.filter(recommendation=recommendation).first()


def recommendations_list(*, user: UserLike, prefix: str = "", year: int | None = None,
                         status: str = "") -> QuerySet[Recommendation]:  # fmt: skip
    """Recommendations the user may see under `prefix`, newest first."""
    rows = restrict(Recommendation.objects.all(), user, "view").filter(
        code_prefix_q(prefix, "region_code")
    )
    if year is not None:
        rows = rows.filter(year=year)
    if status:
        rows = rows.filter(status=status)
    return _with_appeal(rows).order_by("-recorded_at", "-id")
