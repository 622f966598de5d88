"""Paired cadres (帮扶责任人) and their assignments to households."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from fupin.core.choices import Role
from fupin.core.fields import CodeField
from fupin.core.rules import KEEPERS, READERS, VILLAGE_POSTS, AccessRule, paired
from fupin.pairing.choices import (
    PROTECTED_BENEFITS,
    AppealOutcome,
    ApplicationStatus,
    Benefit,
    BlackListStatus,
    CommitteeRole,
    ConsequenceKind,
    Distance,
    MeetingKind,
    MemberBackground,
    NoticeMethod,
    ObjectionStatus,
    PayUnit,
    PostingEndReason,
    PostingKind,
    PostingStatus,
    ProposalStatus,
    RewardKind,
    Satisfaction,
    UnitLevel,
)
from fupin.regions.models import Region
from fupin.registry.models import Household, Member


class Cadre(models.Model):
    """A cadre who answers for households (帮扶责任人): who, where they work, how to reach them."""

    ACCESS = AccessRule("region_code", view=READERS, change=KEEPERS)

    name = models.CharField(max_length=50)
    id_number = models.CharField(max_length=18, unique=True)
    phone = models.CharField(max_length=20)
    unit = models.CharField(max_length=100, help_text="the work unit (工作单位)")
    unit_level = models.CharField(max_length=10, choices=UnitLevel.choices)
    region_code = CodeField(max_length=12, help_text="the region the cadre serves (a county)")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="cadre", help_text="the cadre's own login, if they have one",
    )  # fmt: skip
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Assignment(models.Model):
    """A cadre answering for a household from a date until a date (结对关系); an open
    primary assignment per household at most, the past ones kept."""

    ACCESS = AccessRule(
        "household__village_id", view=READERS, change=KEEPERS, own=paired("household_id")
    )

    household = models.ForeignKey(  # indexed by the open-primary constraint and below
        Household, on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="assignments")
    primary = models.BooleanField(default=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["household", "started_on"], name="assignment_household")]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(primary=True, ended_on__isnull=True),
                name="one_open_primary_assignment_per_household",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="assignment_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} -> {self.household_id} from {self.started_on}"


# Who answers an objection raised from a card, and who decides on a pairing proposal.
ANSWERERS = frozenset({Role.COUNTY, Role.TOWNSHIP})


class ContactCard(models.Model):
    """A contact card (精准帮扶联系卡) printed for a household's door. Its QR code carries a
    token that only its SHA-256 here can check; printing a new card revokes the old one."""

    ACCESS = AccessRule(
        "household__village_id", view=READERS, change=KEEPERS, own=paired("household_id")
    )

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cards")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="cards")
    year = models.PositiveSmallIntegerField()
    token_hash = models.CharField(max_length=64, unique=True)
    facts = models.JSONField(help_text="what the card says, as printed")
    printed_at = models.DateTimeField()
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True)
    code_failures = models.PositiveSmallIntegerField(
        default=0, help_text="wrong rating codes entered; the card stops taking codes at a limit"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(revoked_at__isnull=True),
                name="one_current_card_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"card {self.pk} of household {self.household_id} ({self.year})"


class CardCode(models.Model):
    """A one-time rating code printed on a card, one per quarter of the card's year; only a
    keyed hash of it is kept."""

    ACCESS = AccessRule("card__household__village_id", view=frozenset())

    card = models.ForeignKey(ContactCard, on_delete=models.CASCADE, related_name="codes")
    quarter = models.PositiveSmallIntegerField()
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "quarter"], name="one_code_per_card_quarter"),
        ]

    def __str__(self) -> str:
        return f"code of card {self.card_id}, quarter {self.quarter}"


class CardRating(models.Model):
    """A household's rating of its paired cadre, once a quarter, given from its card."""

    ACCESS = AccessRule("household__village_id", view=READERS, own=paired("household_id"))

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="ratings")
    card = models.ForeignKey(ContactCard, on_delete=models.PROTECT, related_name="ratings")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="ratings")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    satisfaction = models.CharField(max_length=12, choices=Satisfaction.choices)
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year", "quarter"], name="one_rating_per_household_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"rating of household {self.household_id}, {self.year} Q{self.quarter}"


class CardObjection(models.Model):
    """An objection a household raises from its card; it reaches the township, which answers."""

    ACCESS = AccessRule("household__village_id", view=READERS, change=ANSWERERS)

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="card_objections"
    )
    card = models.ForeignKey(ContactCard, on_delete=models.PROTECT, related_name="objections")
    text = models.CharField(max_length=1000)
    contact_phone = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    created_at = models.DateTimeField()
    answer = models.CharField(max_length=1000, blank=True)
    upheld = models.BooleanField(
        null=True, blank=True, help_text="whether the objection was found true (属实), as answered"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="card_objection_status")]

    def __str__(self) -> str:
        return f"objection {self.pk} of household {self.household_id}"


class AssignmentProposal(models.Model):
    """An automatic assignment of unpaired households to cadres (自动结对), proposed for
    approval; applying it opens the assignments, set-wise."""

    ACCESS = AccessRule("region_code", view=READERS, change=ANSWERERS)

    region_code = CodeField(max_length=12, help_text="the region the proposal covers")
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    starts_on = models.DateField(help_text="the day the assignments would start")
    households_unpaired = models.PositiveIntegerField()
    households_matched = models.PositiveIntegerField()
    summary = models.JSONField(help_text="matched households by distance, and by county")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    def __str__(self) -> str:
        return f"proposal {self.pk} for {self.region_code} ({self.status})"


class ProposalRow(models.Model):
    """One household and the cadre proposed for it."""

    ACCESS = AccessRule("household__village_id", view=READERS)

    proposal = models.ForeignKey(AssignmentProposal, on_delete=models.CASCADE, related_name="rows")
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="+", db_index=False)
    distance = models.PositiveSmallIntegerField(choices=Distance.choices)

    def __str__(self) -> str:
        return f"{self.household_id} -> {self.cadre_id} ({self.get_distance_display()})"


# Who sends first secretaries and work teams (the county's organization department and
# poverty office), and who confirms their days in the village.
POSTERS = frozenset({Role.COUNTY})
ATTENDANCE_CONFIRMERS = frozenset({Role.TOWNSHIP})


class Posting(models.Model):
    """A posting to a village for a term (驻村): a resident first secretary (驻村第一书记) or a
    village work team (驻村工作队); at most one active posting of each kind per village, the
    ended ones kept with their end and, if replaced, their successor."""

    ACCESS = AccessRule("village_id", view=READERS, change=POSTERS)

    village = models.ForeignKey(  # indexed by posting_village below
        Region, on_delete=models.PROTECT, related_name="postings", db_index=False
    )
    kind = models.CharField(max_length=16, choices=PostingKind.choices)
    sending_unit = models.CharField(max_length=100, help_text="the sending unit (派出单位)")
    unit_level = models.CharField(max_length=10, choices=UnitLevel.choices)
    term_start = models.DateField()
    term_end = models.DateField(help_text="the last day of the term")
    duties = models.TextField(help_text="the duties of the posting (工作职责)")
    status = models.CharField(
        max_length=8, choices=PostingStatus.choices, default=PostingStatus.ACTIVE
    )
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=PostingEndReason.choices, blank=True)
    end_note = models.CharField(max_length=500, blank=True, help_text="why, in words")
    successor = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="predecessor",
        help_text="the posting that replaced this one",
    )  # fmt: skip
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        indexes = [models.Index(fields=["village", "term_start"], name="posting_village")]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "kind"],
                condition=Q(status="active"),
                name="one_active_posting_per_village_kind",
            ),
            models.CheckConstraint(
                condition=Q(term_end__gte=F("term_start")),
                name="posting_term_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True, end_reason="")
                | (
                    Q(status="ended", ended_on__isnull=False, ended_on__gte=F("term_start"))
                    & ~Q(end_reason="")
                ),
                name="posting_ended_has_date_and_reason",
            ),
            # One way only: the successor is set right after it is opened, in the same
            # transaction, since it cannot exist while this posting is still active.
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(end_reason="replacement"),
                name="posting_successor_only_if_replaced",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.village_id} from {self.term_start}"


class PostingMember(models.Model):
    """A person posted to the village (驻村干部): the first secretary, or a work-team member
    (the leader flagged); leaving keeps the row with its date and reason."""

    ACCESS = AccessRule("posting__village_id", view=READERS, change=POSTERS)

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(max_length=50)
    id_number = CodeField(max_length=18)
    phone = models.CharField(max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="postings", help_text="the member's own login, to log their attendance",
    )  # fmt: skip
    is_leader = models.BooleanField(default=False, help_text="the work team's leader (队长)")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    leave_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["id_number"], name="posting_member_person")]
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "id_number"],
                condition=Q(left_on__isnull=True),
                name="one_current_membership_per_person",
            ),
            models.UniqueConstraint(
                fields=["posting"],
                condition=Q(is_leader=True, left_on__isnull=True),
                name="one_current_leader_per_posting",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="posting_member_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} in posting {self.posting_id}"


class AttendanceDay(models.Model):
    """A day a posted member was present in the village (驻村考勤), logged by the member or
    the township and confirmed by the township; only confirmed days count."""

    ACCESS = AccessRule("member__posting__village_id", view=READERS, change=ATTENDANCE_CONFIRMERS)

    member = models.ForeignKey(PostingMember, on_delete=models.PROTECT, related_name="days")
    day = models.DateField()
    logged_at = models.DateTimeField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="one_attendance_per_member_day"),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | Q(confirmed_at__isnull=False),
                name="attendance_confirmer_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} present {self.day}"


# ---- the village committee for poverty alleviation (村扶贫工作委员会) -------------------------
# The village posts keep the committee, its meetings, labour posts and lists; the township
# decides appeals against the black list.
COMMITTEE_KEEPERS = VILLAGE_POSTS
APPEAL_DECIDERS = frozenset({Role.TOWNSHIP})


class Committee(models.Model):
    """A term of a village's committee for poverty alleviation (村扶贫工作委员会), its seats
    set by policy on the households counted when it was formed; one active per village at
    most, the ended ones kept."""

    ACCESS = AccessRule("village_id", view=READERS, change=COMMITTEE_KEEPERS)

    village = models.ForeignKey(  # indexed by committee_village below
        Region, on_delete=models.PROTECT, related_name="committees", db_index=False
    )
    formed_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=500, blank=True)
    households_counted = models.PositiveIntegerField(help_text="the village's households then")
    seats = models.PositiveSmallIntegerField(help_text="the members the policy set for them")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        indexes = [models.Index(fields=["village", "formed_on"], name="committee_village")]
        constraints = [
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(ended_on__isnull=True),
                name="one_active_committee_per_village",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("formed_on")),
                name="committee_ends_after_it_is_formed",
            ),
        ]

    def __str__(self) -> str:
        return f"committee of {self.village_id} from {self.formed_on}"


class CommitteeMember(models.Model):
    """A seat held on a committee (委员): the person, their role, whether a party member and
    where they come from; leaving keeps the row, and a replacement names its successor."""

    ACCESS = AccessRule("committee__village_id", view=READERS, change=COMMITTEE_KEEPERS)

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(max_length=50)
    id_number = CodeField(max_length=18)
    phone = models.CharField(max_length=20)
    role = models.CharField(max_length=16, choices=CommitteeRole.choices)
    is_party_member = models.BooleanField(help_text="a member of the Communist Party (党员)")
    background = models.CharField(max_length=16, choices=MemberBackground.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="the member's own login, if they have one",
    )  # fmt: skip
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    leave_reason = models.CharField(max_length=500, blank=True)
    successor = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="predecessor",
        help_text="the member who took over the seat and the households",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "id_number"],
                condition=Q(left_on__isnull=True),
                name="committee_one_seat_per_person",
            ),
            models.UniqueConstraint(
                fields=["committee", "role"],
                condition=Q(left_on__isnull=True) & ~Q(role=CommitteeRole.MEMBER),
                name="committee_one_current_officer_per_role",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="committee_member_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}) of committee {self.committee_id}"


class MemberHousehold(models.Model):
    """A household in a committee member's charge (委员联系户) from a date until a date; every
    household of the village in one member's charge at a time, none in two."""

    ACCESS = AccessRule(
        "committee__village_id", view=READERS, change=COMMITTEE_KEEPERS, own=paired("household_id")
    )

    committee = models.ForeignKey(  # indexed by the once-per-term constraint
        Committee, on_delete=models.PROTECT, related_name="charges", db_index=False
    )
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="charges")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="committee_charges"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "household"],
                condition=Q(ended_on__isnull=True),
                name="committee_household_in_one_charge",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="committee_charge_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"household {self.household_id} with member {self.member_id}"


class CommitteeMeeting(models.Model):
    """A committee meeting held (委员会会议): the weekly internal one or the monthly public one,
    with its minutes and decisions; who attended is in `MeetingAttendance`."""

    ACCESS = AccessRule("committee__village_id", view=READERS, change=COMMITTEE_KEEPERS)

    committee = models.ForeignKey(  # indexed by the one-a-day constraint
        Committee, on_delete=models.PROTECT, related_name="meetings", db_index=False
    )
    kind = models.CharField(max_length=8, choices=MeetingKind.choices)
    held_on = models.DateField()
    minutes = models.TextField(help_text="the minutes (会议记录)")
    decisions = models.JSONField(help_text="the decisions taken, one text each (决定事项)")
    villagers_present = models.PositiveIntegerField(
        default=0, help_text="villagers at a public meeting"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "held_on", "kind"], name="committee_one_meeting_a_day"
            ),
            models.CheckConstraint(
                condition=Q(kind=MeetingKind.INTERNAL, villagers_present=0)
                | Q(kind=MeetingKind.PUBLIC, villagers_present__gt=0),
                name="committee_public_meeting_has_villagers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of committee {self.committee_id} on {self.held_on}"


class MeetingAttendance(models.Model):
    """A committee member present at a meeting."""

    ACCESS = AccessRule("meeting__committee__village_id", view=READERS)

    meeting = models.ForeignKey(
        CommitteeMeeting, on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="committee_attends_once"),
        ]

    def __str__(self) -> str:
        return f"member {self.member_id} at meeting {self.meeting_id}"


class LabourPost(models.Model):
    """A village labour service post (村级劳务岗位, 公益岗位) the committee sets up: its duties,
    pay and place, and how many people it takes."""

    ACCESS = AccessRule("village_id", view=READERS, change=COMMITTEE_KEEPERS)

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="labour_posts")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(max_length=100)
    duties = models.TextField()
    place = models.CharField(max_length=200)
    pay_amount = models.DecimalField(max_digits=10, decimal_places=2)
    pay_unit = models.CharField(max_length=6, choices=PayUnit.choices)
    positions = models.PositiveSmallIntegerField()
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(positions__gte=1, pay_amount__gt=0), name="labour_post_pays_and_takes"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="labour_post_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.village_id})"


class PostApplication(models.Model):
    """A villager's application for a labour post, with their consent (本人自愿申请): the
    committee assigns only from here, so no one is put on a post without having applied and
    consented, and a withdrawal by the villager ends the post."""

    ACCESS = AccessRule("post__village_id", view=READERS, change=COMMITTEE_KEEPERS)

    post = models.ForeignKey(LabourPost, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="post_applications")
    applied_on = models.DateField()
    consent_given_on = models.DateField(help_text="the day the villager signed their consent")
    consent_evidence = models.CharField(
        max_length=200, help_text="what shows the consent, e.g. the signed application form"
    )
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    assigned_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=500, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "person"],
                condition=Q(status__in=[ApplicationStatus.APPLIED, ApplicationStatus.ASSIGNED]),
                name="labour_one_live_application_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(consent_evidence="") & Q(consent_given_on__lte=F("applied_on")),
                name="labour_application_has_consent",
            ),
            models.CheckConstraint(
                # the consent is given on or before the day applied (the check above)
                condition=Q(assigned_on__isnull=True) | Q(assigned_on__gte=F("applied_on")),
                name="labour_assigned_after_consent",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(assigned_on__isnull=False, ended_on__gte=F("assigned_on")),
                name="labour_post_left_after_taken",
            ),
            # Each comparison goes with an IS NOT NULL: a check that comes out NULL passes.
            models.CheckConstraint(
                condition=Q(
                    status=ApplicationStatus.APPLIED,
                    assigned_on__isnull=True,
                    ended_on__isnull=True,
                    withdrawn_on__isnull=True,
                )
                | Q(
                    status=ApplicationStatus.ASSIGNED,
                    assigned_on__isnull=False,
                    ended_on__isnull=True,
                    withdrawn_on__isnull=True,
                )
                | Q(
                    status=ApplicationStatus.ENDED,
                    assigned_on__isnull=False,
                    ended_on__isnull=False,
                    withdrawn_on__isnull=True,
                )
                | Q(
                    status=ApplicationStatus.WITHDRAWN,
                    withdrawn_on__isnull=False,
                    assigned_on__isnull=True,
                    ended_on__isnull=True,
                )
                | Q(
                    status=ApplicationStatus.WITHDRAWN,
                    withdrawn_on__isnull=False,
                    assigned_on__isnull=False,
                    ended_on__isnull=False,
                    ended_on=F("withdrawn_on"),
                ),
                name="labour_application_status_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} for post {self.post_id} ({self.status})"


class PostWorkMonth(models.Model):
    """A month's days worked on a labour post and the pay for them (考勤与报酬)."""

    ACCESS = AccessRule("application__post__village_id", view=READERS, change=COMMITTEE_KEEPERS)

    application = models.ForeignKey(
        PostApplication, on_delete=models.PROTECT, related_name="work_months"
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    days_worked = models.PositiveSmallIntegerField()
    amount_paid = models.DecimalField(max_digits=10, decimal_places=2)
    paid_on = models.DateField(null=True, blank=True, help_text="blank: not paid yet")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "year", "month"], name="labour_one_record_a_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12, days_worked__lte=31, amount_paid__gte=0),
                name="labour_work_month_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.year}-{self.month:02d}: {self.days_worked} days"


class HouseholdScore(models.Model):
    """A committee's score of a household for a month (农户评分) on the policy's criteria in
    force, with the criterion versions it used; the total is their weighted mean."""

    ACCESS = AccessRule(
        "committee__village_id", view=READERS, change=COMMITTEE_KEEPERS, own=paired("household_id")
    )

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="scores")
    household = models.ForeignKey(  # indexed by the once-a-month constraint
        Household, on_delete=models.PROTECT, related_name="committee_scores", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    scores = models.JSONField(help_text="criterion code -> score out of 100")
    criteria = models.JSONField(help_text="the criterion versions used: id, code, weight")
    total = models.DecimalField(max_digits=5, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)
    scored_at = models.DateTimeField()
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year", "month"], name="committee_one_score_a_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12, total__gte=0, total__lte=100),
                name="committee_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"household {self.household_id} {self.year}-{self.month:02d}: {self.total}"


class HouseholdListing(models.Model):
    """What a red-list and a black-list entry share: the household and the month, the
    written reasons, the score behind it if any, and who recorded it."""

    ACCESS = AccessRule(
        "committee__village_id", view=READERS, change=COMMITTEE_KEEPERS, own=paired("household_id")
    )

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(  # indexed by the once-a-month constraint
        Household, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    reasons = models.TextField(help_text="the written reasons (书面理由)")
    score = models.ForeignKey(
        HouseholdScore, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    listed_on = models.DateField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        abstract = True


class RedListEntry(HouseholdListing):
    """A household on a month's red list (红榜) and the reward it received.

    The reward is support the household enjoyed: it is recorded in the assistance ledger
    (`support.Measure`, type other, provided by the village) in the same write, and
    `measure` points to that ledger row, so the card and the ledger count it once.
    """

    reward_kind = models.CharField(max_length=8, choices=RewardKind.choices)
    reward = models.CharField(max_length=200, help_text="what was given")
    amount = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, help_text="its value in yuan"
    )
    measure = models.OneToOneField(
        "support.Measure", on_delete=models.PROTECT, null=True, blank=True,
        related_name="red_list_entry", help_text="the reward's row in the assistance ledger",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year", "month"], name="red_list_once_a_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12, amount__gte=0) & ~Q(reasons=""),
                name="red_list_entry_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"red list {self.year}-{self.month:02d}: household {self.household_id}"


class BlackListEntry(HouseholdListing):
    """A household on a month's black list (黑榜) with the written reasons, the written notice
    to the household and its deadline to appeal to the township; its consequences apply
    only once it is final (no appeal in time, or the appeal turned down)."""

    status = models.CharField(
        max_length=10, choices=BlackListStatus.choices, default=BlackListStatus.ENTERED
    )
    notified_on = models.DateField(null=True, blank=True)
    notice_method = models.CharField(max_length=12, choices=NoticeMethod.choices, blank=True)
    notice_receiver = models.CharField(
        max_length=50, blank=True, help_text="who received the notice"
    )
    appeal_until = models.DateField(
        null=True, blank=True, help_text="the last day to appeal to the township"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year", "month"], name="black_list_once_a_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12) & ~Q(reasons=""),
                name="black_list_entry_has_reasons",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=BlackListStatus.ENTERED,
                    notified_on__isnull=True,
                    appeal_until__isnull=True,
                    notice_method="",
                )
                | (
                    ~Q(status=BlackListStatus.ENTERED)
                    & Q(
                        notified_on__isnull=False,
                        notified_on__gte=F("listed_on"),
                        appeal_until__isnull=False,
                        appeal_until__gte=F("notified_on"),
                    )
                    & ~Q(notice_method="")
                ),
                name="black_list_notice_before_appeal",
            ),
        ]

    def __str__(self) -> str:
        return f"black list {self.year}-{self.month:02d}: household {self.household_id}"


class BlackListConsequence(models.Model):
    """What a black-list entry does to one village benefit once final; never to minimum
    living support (低保), extreme-poverty support (特困供养) or medical insurance, which
    the database refuses too."""

    ACCESS = AccessRule("entry__committee__village_id", view=READERS)

    entry = models.ForeignKey(BlackListEntry, on_delete=models.CASCADE, related_name="consequences")
    kind = models.CharField(max_length=8, choices=ConsequenceKind.choices)
    benefit = models.CharField(max_length=20, choices=Benefit.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "benefit"], name="black_list_benefit_once"),
            models.CheckConstraint(
                condition=~Q(benefit__in=sorted(PROTECTED_BENEFITS)),
                name="black_list_never_cuts_statutory_support",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.benefit} (entry {self.entry_id})"


class BlackListAppeal(models.Model):
    """A household's appeal against its black-list entry to the township (申诉), lodged within
    the appeal period, and the township's decision with its reasons."""

    ACCESS = AccessRule("entry__committee__village_id", view=READERS, change=APPEAL_DECIDERS)

    entry = models.OneToOneField(BlackListEntry, on_delete=models.PROTECT, related_name="appeal")
    lodged_on = models.DateField()
    grounds = models.TextField(help_text="the household's grounds, as written")
    decide_by = models.DateField(help_text="the township decides by this day")
    outcome = models.CharField(max_length=10, choices=AppealOutcome.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        indexes = [
            models.Index(
                fields=["decide_by"],
                condition=Q(decided_on__isnull=True),
                name="black_list_appeal_open",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", decided_on__isnull=True, decision_reasons="")
                | (
                    ~Q(outcome="")
                    & ~Q(decision_reasons="")
                    & Q(decided_on__isnull=False, decided_on__gte=F("lodged_on"))
                ),
                name="black_list_appeal_decided_with_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"appeal of black-list entry {self.entry_id}"
