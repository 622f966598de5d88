"""Relocation (易地扶贫搬迁): resettlement sites, the households moved to them step by step,
the jobs and measures that follow them (后续扶持), and the targets the moves count against.

A move belongs to the household's own village (where it came from), so the posts that
keep the household see its move; a site belongs to the village where it lies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, In

from fupin.core.choices import Role
from fupin.core.fields import CodeField
from fupin.core.rules import OFFICES, READERS, AccessRule, paired
from fupin.registry.choices import HousingGrade
from fupin.registry.models import Household, Member
from fupin.support.choices import MoveStatus, RelocationJobKind, ResettlementKind
from fupin.support.models.ledger import Measure

# The county office plans and hands over; the township office works beside it. Offices and
# inspectors read the targets of their region.
RELOCATION_KEEPERS = frozenset({Role.COUNTY, Role.TOWNSHIP})
TARGET_READERS = OFFICES | frozenset({Role.INSPECTOR})
TARGET_SETTERS = frozenset({Role.NATIONAL, Role.PROVINCE, Role.PREFECTURE, Role.COUNTY})
# A handed-over home holds the housing guarantee (住房安全有保障): a safe grade.
SAFE_HOME_GRADES = ("A", "B")
HANDED_OVER = (MoveStatus.HANDED_OVER, MoveStatus.MOVED)


def _recorded_by() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip


class ResettlementSite(models.Model):
    """A resettlement site (安置点): where relocated households get their new homes, built
    together (集中安置) or scattered within existing villages (分散安置)."""

    ACCESS = AccessRule("village_code", view=READERS, change=RELOCATION_KEEPERS)

    name = models.CharField(max_length=100)
    county_code = CodeField(max_length=6, help_text="the county that runs the site")
    village_code = CodeField(max_length=12, help_text="the village (or community) it lies in")
    kind = models.CharField(max_length=12, choices=ResettlementKind.choices)
    capacity = models.PositiveIntegerField(help_text="households it houses")
    created_by = _recorded_by()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["village_code"], name="site_village")]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "name"], name="site_name_in_county"),
            models.CheckConstraint(
                condition=Q(village_code__startswith=F("county_code")), name="site_in_its_county"
            ),
            models.CheckConstraint(
                condition=Q(Exact(Length("county_code"), 6)) & Q(Exact(Length("village_code"), 12)),
                name="site_codes_level",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="site_capacity_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=ResettlementKind.values), name="site_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.village_code})"


class RelocationMove(models.Model):
    """One household's relocation (搬迁户): planned for a year, its new home handed over
    (交房, only when the home holds the housing guarantee), then moved into (搬迁入住).

    The dates and the new home's facts are set by the steps; `status` is cached from them.
    """

    ACCESS = AccessRule(
        "household__village_id", view=READERS, change=RELOCATION_KEEPERS, own=paired()
    )

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="relocations", db_index=False
    )
    site = models.ForeignKey(ResettlementSite, on_delete=models.PROTECT, related_name="moves")
    plan_year = models.PositiveSmallIntegerField(help_text="the year of the relocation plan")
    persons = models.PositiveSmallIntegerField(help_text="the persons who move")
    planned_on = models.DateField()
    handed_over_on = models.DateField(null=True, blank=True)
    moved_on = models.DateField(null=True, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)
    home_area = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True, help_text="m², at handover"
    )
    home_grade = models.CharField(
        max_length=1, choices=HousingGrade.choices, blank=True,
        help_text="the new home's safety grade at handover",
    )  # fmt: skip
    status = models.CharField(
        max_length=12, choices=MoveStatus.choices, default=MoveStatus.PLANNED,
        help_text="cached from the step dates",
    )  # fmt: skip
    reason = models.CharField(max_length=200, blank=True, help_text="why it was called off")
    recorded_by = _recorded_by()
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["household", "plan_year"], name="move_household_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=~Q(status=MoveStatus.CANCELLED),
                name="one_open_move_per_household",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MoveStatus.values), name="move_status_known"
            ),
            models.CheckConstraint(condition=Q(persons__gte=1), name="move_persons_positive"),
            # The cached status agrees with the step dates, and a home is handed over only
            # with its area and a safe grade.
            models.CheckConstraint(
                condition=(
                    Q(status=MoveStatus.PLANNED, handed_over_on=None, moved_on=None)
                    | Q(status=MoveStatus.HANDED_OVER, handed_over_on__isnull=False, moved_on=None)
                    | Q(
                        status=MoveStatus.MOVED,
                        handed_over_on__isnull=False,
                        moved_on__gte=F("handed_over_on"),
                    )
                    | Q(status=MoveStatus.CANCELLED, moved_on=None)
                ),
                name="move_status_follows_dates",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_on=None) | Q(status=MoveStatus.CANCELLED),
                name="move_cancelled_on_only_when_cancelled",
            ),
            models.CheckConstraint(
                condition=Q(handed_over_on=None)
                | Q(home_area__gt=0, home_grade__in=SAFE_HOME_GRADES),
                name="move_handed_over_home_guaranteed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} to site {self.site_id} ({self.plan_year}, {self.status})"


class RelocationTarget(models.Model):
    """A region's relocation target for a year (年度搬迁任务): households and persons."""

    ACCESS = AccessRule("region_code", view=TARGET_READERS, change=TARGET_SETTERS)

    region_code = CodeField(max_length=6, help_text="a province, prefecture or county")
    year = models.PositiveSmallIntegerField()
    households = models.PositiveIntegerField()
    persons = models.PositiveIntegerField()
    set_by = _recorded_by()
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="one_target_per_year"),
            models.CheckConstraint(
                condition=In(Length("region_code"), [2, 4, 6]), name="target_region_level"
            ),
            models.CheckConstraint(
                condition=Q(persons__gte=F("households")), name="target_persons_cover_households"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}: {self.households} households"


class RelocationJob(models.Model):
    """Work a member of a relocated household found after the move (搬迁后就业), with the
    ledger measure (就业帮扶) it was recorded as."""

    ACCESS = AccessRule(
        "move__household__village_id", view=READERS, change=RELOCATION_KEEPERS,
        own=paired("move__household_id"),
    )  # fmt: skip

    move = models.ForeignKey(RelocationMove, on_delete=models.PROTECT, related_name="jobs")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="relocation_jobs")
    kind = models.CharField(max_length=16, choices=RelocationJobKind.choices)
    employer = models.CharField(max_length=100)
    started_on = models.DateField()
    monthly_wage = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True, help_text="yuan, when known"
    )
    measure = models.OneToOneField(
        Measure, on_delete=models.PROTECT, null=True, blank=True, related_name="relocation_job"
    )
    recorded_by = _recorded_by()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RelocationJobKind.values), name="relocation_job_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(monthly_wage=None) | Q(monthly_wage__gte=0),
                name="relocation_job_wage_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} at {self.employer} from {self.started_on}"


class RelocationFollowUp(models.Model):
    """A ledger measure that is follow-up support (后续扶持) of a household's relocation."""

    ACCESS = AccessRule(
        "move__household__village_id", view=READERS, change=RELOCATION_KEEPERS,
        own=paired("move__household_id"),
    )  # fmt: skip

    move = models.ForeignKey(RelocationMove, on_delete=models.PROTECT, related_name="follow_ups")
    measure = models.OneToOneField(
        Measure, on_delete=models.PROTECT, related_name="relocation_follow_up"
    )
    linked_by = _recorded_by()
    linked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"measure {self.measure_id} follows move {self.move_id}"
