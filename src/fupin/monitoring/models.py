"""Visits (入户走访): a paired cadre's visit to a household, what was found and agreed; and
the national exit check of a county (第三方评估): its sample and what was found; and the
evaluation of cadres and units (考核评价): scores, recommendations and appeals."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models

from fupin.core.choices import Role
from fupin.core.fields import CodeField
from fupin.core.rules import KEEPERS, OFFICES, READERS, VILLAGE_POSTS, AccessRule, Own, paired
from fupin.monitoring.evaluation.choices import (
    AppealOutcome,
    Direction,
    Grade,
    NoticeMethod,
    RecommendationKind,
    RecommendationStatus,
)
from fupin.monitoring.verification.choices import CheckStatus, Stratum, VillageKind
from fupin.pairing.models import Cadre
from fupin.regions.models import Region
from fupin.registry.models import Household


class PhotoStorage(FileSystemStorage):
    """Visit photos under VAR_DIR/visit_photos (read when used, so a changed VAR_DIR is
    followed): never served as static files, only through the page that checks who asks
    (`monitoring.views.visit_photo`)."""

    @property
    def base_location(self) -> str:
        return str(Path(settings.VAR_DIR) / "visit_photos")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def deconstruct(self) -> tuple[str, tuple[object, ...], dict[str, object]]:
        return ("fupin.monitoring.models.PhotoStorage", (), {})


photo_storage = PhotoStorage()


class Visit(models.Model):
    """A cadre's visit to a household (入户走访记录)."""

    ACCESS = AccessRule(
        "household__village_id", view=READERS, change=KEEPERS, own=paired("household_id")
    )

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField()
    found = models.TextField(help_text="what the cadre found (家庭情况、困难和诉求)")
    agreed = models.TextField(blank=True, help_text="what was agreed (商定的帮扶措施、下一步)")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["household", "visited_on"], name="visit_household_day"),
            models.Index(fields=["cadre", "visited_on"], name="visit_cadre_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180,
                           longitude__lte=180),
                name="visit_location_on_earth",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"visit to {self.household_id} on {self.visited_on}"


class VisitPhoto(models.Model):
    """A photo taken on a visit (JPEG or PNG, checked as an image when it is stored)."""

    ACCESS = AccessRule(
        "visit__household__village_id", view=READERS, own=paired("visit__household_id")
    )

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(storage=photo_storage, upload_to="%Y/%m/", max_length=200)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"photo {self.pk} of visit {self.visit_id}"


# The exit check (第三方评估): who reads it and who draws and fills it.
CHECK_READERS = READERS | frozenset({Role.EVALUATOR})
CHECK_KEEPERS = frozenset({Role.EVALUATOR, Role.NATIONAL})
# Which households were drawn is the evaluation's to know: a county that learnt its sample
# before the team arrived could prepare those households. The county, township and village
# see the check and its results, never the sampled households or what was found at each.
SAMPLE_READERS = CHECK_KEEPERS | frozenset({Role.INSPECTOR})


class ExitCheck(models.Model):
    """A county's national exit check for a year (贫困县退出专项评估检查): the sample drawn,
    the parameters it was drawn with and, once completed, the three rates and one degree."""

    ACCESS = AccessRule("county_id", view=CHECK_READERS, change=CHECK_KEEPERS)

    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, db_column="county_code", related_name="+",
        db_index=False,
    )  # fmt: skip
    year = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField(
        help_text="the draw's random seed: the same seed, the same sample"
    )
    status = models.CharField(max_length=12, choices=CheckStatus.choices, default=CheckStatus.DRAWN)
    parameters = models.JSONField(help_text="sample sizes and the frame's counts at the draw")
    results = models.JSONField(null=True, blank=True, help_text="三率一度, fixed on completion")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    drawn_by_label = models.CharField(max_length=150)
    drawn_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="one_exit_check_per_year"),
            models.CheckConstraint(condition=models.Q(seed__gte=0), name="exit_check_seed_natural"),
            models.CheckConstraint(
                condition=models.Q(status=CheckStatus.COMPLETED, results__isnull=False,
                                   completed_at__isnull=False)
                | (~models.Q(status=CheckStatus.COMPLETED) & models.Q(completed_at__isnull=True)),
                name="exit_check_results_when_completed",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"exit check {self.county_id} {self.year}"


class CheckHousehold(models.Model):
    """A household drawn into an exit check (抽样户), with where it stood at the draw."""

    ACCESS = AccessRule("village_id", view=SAMPLE_READERS, change=CHECK_KEEPERS)

    exit_check = models.ForeignKey(ExitCheck, on_delete=models.CASCADE, related_name="households")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, db_column="village_code", related_name="+",
        db_index=False,
    )  # fmt: skip
    village_kind = models.CharField(max_length=8, choices=VillageKind.choices)
    stratum = models.CharField(max_length=16, choices=Stratum.choices)
    status = models.CharField(max_length=16, help_text="the register status at the draw")
    persons = models.PositiveSmallIntegerField(help_text="persons at the draw")

    class Meta:
        indexes = [models.Index(fields=["exit_check", "village"], name="check_household_village")]
        constraints = [
            models.UniqueConstraint(fields=["exit_check", "household"],
                                    name="check_household_once"),
            models.CheckConstraint(condition=models.Q(persons__gte=1),
                                   name="check_household_not_empty"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.exit_check_id}/{self.household_id} ({self.stratum})"


class CheckFinding(models.Model):
    """What the evaluation team found at a sampled household (入户核查结果), as entered."""

    ACCESS = AccessRule("check_household__village_id", view=SAMPLE_READERS, change=CHECK_KEEPERS)

    check_household = models.OneToOneField(
        CheckHousehold, on_delete=models.CASCADE, primary_key=True, related_name="finding"
    )
    persons = models.PositiveSmallIntegerField(help_text="persons as found")
    income_per_capita = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="net income per person, yuan, as found"
    )
    food_ok = models.BooleanField()
    clothing_ok = models.BooleanField()
    education_ok = models.BooleanField()
    medical_ok = models.BooleanField()
    housing_ok = models.BooleanField()
    water_ok = models.BooleanField()
    wrongly_exited = models.BooleanField(null=True, help_text="exited households only (错退)")
    omitted = models.BooleanField(null=True, help_text="non-registered households only (漏评)")
    approves = models.BooleanField(help_text="the household approves of the work (认可)")
    note = models.CharField(max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    entered_by_label = models.CharField(max_length=150)
    entered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(persons__gte=1),
                                   name="check_finding_not_empty"),
            models.CheckConstraint(
                condition=models.Q(wrongly_exited__isnull=True) | models.Q(omitted__isnull=True),
                name="check_finding_one_judgement",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"finding {self.check_household_id}"


# ---- evaluating cadres and units (考核评价) ------------------------------------------------
# Who reads scores, recommendations and appeals in their region; a cadre reads their own
# through their login. Who may write each is the services' to check: the office above the
# subject, its subordinates, the subject appealing, the office above deciding.
EVALUATION_READERS = OFFICES | VILLAGE_POSTS | frozenset({Role.INSPECTOR})
OWN_CADRE = "fupin.monitoring.evaluation.access.own_cadre_rows"


class Evaluation(models.Model):
    """A score of a cadre or a unit for a year (考核评分): down from the office above (上级评
    下级), or up from a post below or a cadre of the unit (下级评上级); one per evaluator,
    subject and year."""

    ACCESS = AccessRule(
        "region_code", view=EVALUATION_READERS, change=OFFICES,
        own=(Own(Role.PAIRED_CADRE, OWN_CADRE, "cadre__user_id"),),
    )  # fmt: skip

    year = models.PositiveSmallIntegerField()
    direction = models.CharField(max_length=4, choices=Direction.choices)
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations",
        help_text="the cadre scored; blank when a unit is scored",
    )  # fmt: skip
    region_code = CodeField(
        max_length=12, help_text="the unit scored, or the region of the cadre scored"
    )
    score = models.PositiveSmallIntegerField(help_text="out of 100")
    grade = models.CharField(max_length=10, choices=Grade.choices)
    comments = models.TextField(blank=True)
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip
    evaluator_role = models.CharField(max_length=16, help_text="the post scored from")
    evaluator_region = CodeField(max_length=12, help_text="the region of that post")
    entered_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["region_code", "year"], name="evaluation_subject_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "year", "cadre"],
                condition=models.Q(cadre__isnull=False),
                name="evaluation_once_per_cadre_year",
            ),
            models.UniqueConstraint(
                fields=["evaluator", "year", "region_code"],
                condition=models.Q(cadre__isnull=True),
                name="evaluation_once_per_unit_year",
            ),
            models.CheckConstraint(condition=models.Q(score__lte=100),
                                   name="evaluation_score_out_of_100"),
            # Households and subordinates score a cadre through the contact card's ratings.
            models.CheckConstraint(
                condition=models.Q(direction=Direction.DOWN) | models.Q(cadre__isnull=True),
                name="evaluation_up_scores_a_unit",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        subject = f"cadre {self.cadre_id}" if self.cadre_id else self.region_code
        return f"{self.get_direction_display()} {subject} {self.year}: {self.score}"


class Recommendation(models.Model):
    """What a year's evaluation leads to (考核结果运用): commendation (表彰), a talk (约谈) or
    accountability (问责) of a cadre or a unit, recorded by the office above with written
    reasons and the scorecard figures it rests on, notified to the subject, open to appeal
    until `appeal_until`."""

    ACCESS = AccessRule(
        "region_code", view=EVALUATION_READERS, change=OFFICES,
        own=(Own(Role.PAIRED_CADRE, OWN_CADRE, "cadre__user_id"),),
    )  # fmt: skip

    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=RecommendationKind.choices)
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations"
    )
    region_code = CodeField(max_length=12, help_text="the unit, or the region of the cadre")
    reasons = models.TextField(help_text="the written reasons (书面理由)")
    figures = models.JSONField(help_text="the scorecard the recommendation rests on, as it was")
    status = models.CharField(max_length=10, choices=RecommendationStatus.choices,
                              default=RecommendationStatus.NOTIFIED)  # fmt: skip
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    recorder_role = models.CharField(max_length=16)
    recorder_region = CodeField(max_length=12)
    recorded_at = models.DateTimeField()
    notified_on = models.DateField()
    notice_method = models.CharField(max_length=12, choices=NoticeMethod.choices)
    appeal_until = models.DateField(help_text="the last day to appeal")

    class Meta:
        indexes = [models.Index(fields=["region_code", "year"], name="recommendation_subject_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "cadre"],
                condition=models.Q(cadre__isnull=False) & ~models.Q(status="overturned"),
                name="recommendation_one_live_per_cadre_year",
            ),
            models.UniqueConstraint(
                fields=["year", "region_code"],
                condition=models.Q(cadre__isnull=True) & ~models.Q(status="overturned"),
                name="recommendation_one_live_per_unit_year",
            ),
            models.CheckConstraint(
                condition=~models.Q(reasons="")
                & models.Q(appeal_until__gte=models.F("notified_on")),
                name="recommendation_has_reasons_and_period",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        subject = f"cadre {self.cadre_id}" if self.cadre_id else self.region_code
        return f"{self.get_kind_display()} {subject} {self.year}"


class RecommendationAppeal(models.Model):
    """The subject's appeal against a recommendation (申诉), lodged within the period, and the
    decision of the office above the one that recorded it, with its reasons."""

    ACCESS = AccessRule(
        "recommendation__region_code", view=EVALUATION_READERS, change=OFFICES,
        own=(Own(Role.PAIRED_CADRE, OWN_CADRE, "recommendation__cadre__user_id"),),
    )  # fmt: skip

    recommendation = models.OneToOneField(Recommendation, on_delete=models.PROTECT,
                                          related_name="appeal")  # fmt: skip
    lodged_on = models.DateField()
    grounds = models.TextField(help_text="the subject's grounds, as written")
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip
    decide_by = models.DateField(help_text="the office above decides by this day")
    outcome = models.CharField(max_length=10, choices=AppealOutcome.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(grounds="")
                & (models.Q(outcome="", decided_on__isnull=True, decision_reasons="")
                   | (~models.Q(outcome="") & ~models.Q(decision_reasons="")
                      & models.Q(decided_on__isnull=False,
                                 decided_on__gte=models.F("lodged_on")))),
                name="recommendation_appeal_decided_with_reasons",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"appeal of recommendation {self.recommendation_id}"
