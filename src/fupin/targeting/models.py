"""Procedure cases, their step history, and the households under risk monitoring."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fupin.core.fields import CodeField
from fupin.core.rules import CASE_ACTORS, KEEPERS, READERS, AccessRule, paired
from fupin.registry.models import Household
from fupin.targeting.choices import (
    CaseKind,
    HardshipKind,
    MonitoringType,
    Outcome,
    RiskType,
    StepAction,
    Trigger,
)


class Case(models.Model):
    """One run of a procedure (程序案件) for a household, a village or a county.

    `step` and `notice_ends` cache where the case stands; its `CaseStep` rows are the record.
    """

    ACCESS = AccessRule(
        "region_code", view=READERS | {"evaluator"}, change=CASE_ACTORS, own=paired()
    )

    kind = models.CharField(max_length=20, choices=CaseKind.choices)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    region_code = CodeField(max_length=12, help_text="the village, or the county for a county exit")
    year = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    step = models.CharField(max_length=32, blank=True, help_text="the last step standing")
    notice_ends = models.DateField(null=True, blank=True)
    awaiting_reverification = models.BooleanField(default=False)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    clue_on = models.DateField(help_text="when the clue or application came in")
    opened_on = models.DateField()
    decided_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="why it was rejected or withdrawn")
    detail = models.JSONField(default=dict, blank=True, help_text="the rule results at opening")
    policy_snapshot = models.ForeignKey(
        "policy.PolicySnapshot", on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        indexes = [
            models.Index(fields=["region_code", "year"], name="case_region_year"),
            models.Index(fields=["household", "kind"], name="case_household_kind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=Q(outcome="open", household__isnull=False),
                name="one_open_case_per_household_kind",
            ),
            models.UniqueConstraint(
                fields=["region_code", "kind"],
                condition=Q(outcome="open", household__isnull=True),
                name="one_open_case_per_region_kind",
            ),
            models.CheckConstraint(
                condition=Q(outcome="open", decided_on__isnull=True)
                | (~Q(outcome="open") & Q(decided_on__isnull=False)),
                name="case_decided_when_closed",
            ),
        ]

    def __str__(self) -> str:
        subject = self.household_id or self.region_code
        return f"{self.get_kind_display()} {subject} {self.year} ({self.get_outcome_display()})"

    @property
    def ref(self) -> str:
        """The reference status transitions and notices carry."""
        return f"{self.kind}:{self.pk}"


class CaseStep(models.Model):
    """One entry in a case's history: a step taken, an objection, a re-verification, a rejection."""

    ACCESS = AccessRule("case__region_code", view=READERS | {"evaluator"})

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    seq = models.PositiveSmallIntegerField()
    step = models.CharField(max_length=32)
    action = models.CharField(max_length=12, choices=StepAction.choices)
    on = models.DateField()
    notice_ends = models.DateField(null=True, blank=True)
    standing = models.BooleanField(
        default=True, help_text="false once an objection sent the case back past it"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    actor_label = models.CharField(max_length=150)
    role = models.CharField(max_length=20, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_step_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.step} {self.action}"


class Monitoring(models.Model):
    """A household under return-to-poverty monitoring (防返贫监测对象) until its risk is gone."""

    ACCESS = AccessRule("household__village_id", view=READERS)

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="monitorings")
    monitoring_type = models.CharField(max_length=16, choices=MonitoringType.choices)
    risks = models.JSONField(default=list, help_text="risk type slugs, at most five")
    identified_case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="monitoring_opened"
    )
    identified_on = models.DateField()
    eliminated_case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="monitoring_closed"
    )
    eliminated_on = models.DateField(null=True, blank=True)
    elimination_way = models.CharField(max_length=12, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(eliminated_on__isnull=True),
                name="one_open_monitoring_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_monitoring_type_display()} {self.identified_on}"


class HardshipReport(models.Model):
    """A reported clue of hardship for a household: rigid spending it had to bear (合规自付支出:
    medical bills after insurance, schooling costs) or a sudden shock (disaster, illness,
    accident). The 防返贫 monitoring reads the year's reports beside income."""

    ACCESS = AccessRule("household__village_id", view=READERS, change=KEEPERS)

    household = models.ForeignKey(  # indexed by (household, year)
        Household, on_delete=models.PROTECT, related_name="hardships", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=HardshipKind.choices)
    risk = models.CharField(max_length=16, choices=RiskType.choices)
    amount = models.BigIntegerField(
        null=True, blank=True, help_text="yuan, the whole household's spending or loss"
    )
    occurred_on = models.DateField()
    reported_on = models.DateField()
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    note = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="hardships",
        help_text="the monitoring case the clue opened, if any",
    )  # fmt: skip
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["household", "year"], name="hardship_household_year")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="rigid_spending") | Q(amount__gt=0),
                name="rigid_spending_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="hardship_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.household_id} {self.year} {self.get_kind_display()} {self.get_risk_display()}"
        )


__all__ = ["Case", "CaseStep", "HardshipReport", "Monitoring", "Trigger"]
