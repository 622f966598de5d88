"""Back office for cadres and assignments (read-only: they change through the services)."""

from __future__ import annotations

from django.contrib import admin

from fupin.core.admin import ReadOnlyAdmin
from fupin.pairing.models import (
    Assignment,
    AttendanceDay,
    BlackListAppeal,
    BlackListEntry,
    Cadre,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    HouseholdScore,
    LabourPost,
    MemberHousehold,
    PostApplication,
    Posting,
    PostingMember,
    PostWorkMonth,
    RedListEntry,
)


@admin.register(Cadre)
class CadreAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "unit_level", "region_code"]
    list_filter = ["unit_level"]
    search_fields = ["name", "=id_number", "=region_code"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["household", "cadre", "primary", "started_on", "ended_on"]
    list_filter = ["primary"]
    raw_id_fields = ["household", "cadre"]
    list_select_related = ["household", "cadre"]


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ["village", "kind", "sending_unit", "term_start", "term_end", "status"]
    list_filter = ["kind", "status", "end_reason"]
    search_fields = ["=village__code", "sending_unit"]
    raw_id_fields = ["village", "successor"]
    list_select_related = ["village"]


@admin.register(PostingMember)
class PostingMemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "posting", "is_leader", "joined_on", "left_on"]
    list_filter = ["is_leader"]
    search_fields = ["name", "=id_number"]
    raw_id_fields = ["posting", "user"]
    list_select_related = ["posting"]


@admin.register(AttendanceDay)
class AttendanceDayAdmin(ReadOnlyAdmin):
    list_display = ["member", "day", "logged_at", "confirmed_at"]
    date_hierarchy = "day"
    raw_id_fields = ["member"]
    list_select_related = ["member"]


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyAdmin):
    list_display = ["village", "formed_on", "ended_on", "seats", "households_counted"]
    search_fields = ["=village__code"]
    raw_id_fields = ["village"]
    list_select_related = ["village"]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "committee", "role", "is_party_member", "background", "left_on"]
    list_filter = ["role", "is_party_member", "background"]
    search_fields = ["name", "=id_number"]
    raw_id_fields = ["committee", "user", "successor"]


@admin.register(MemberHousehold)
class MemberHouseholdAdmin(ReadOnlyAdmin):
    list_display = ["household", "member", "started_on", "ended_on"]
    raw_id_fields = ["committee", "member", "household"]
    list_select_related = ["household", "member"]


@admin.register(CommitteeMeeting)
class CommitteeMeetingAdmin(ReadOnlyAdmin):
    list_display = ["committee", "kind", "held_on", "villagers_present"]
    list_filter = ["kind"]
    date_hierarchy = "held_on"
    raw_id_fields = ["committee"]


@admin.register(LabourPost)
class LabourPostAdmin(ReadOnlyAdmin):
    list_display = ["title", "village", "pay_amount", "pay_unit", "positions", "closed_on"]
    list_filter = ["pay_unit"]
    search_fields = ["title", "=village__code"]
    raw_id_fields = ["village", "committee"]


@admin.register(PostApplication)
class PostApplicationAdmin(ReadOnlyAdmin):
    list_display = ["person", "post", "status", "applied_on", "assigned_on", "ended_on"]
    list_filter = ["status"]
    raw_id_fields = ["post", "person"]
    list_select_related = ["person", "post"]


@admin.register(PostWorkMonth)
class PostWorkMonthAdmin(ReadOnlyAdmin):
    list_display = ["application", "year", "month", "days_worked", "amount_paid", "paid_on"]
    raw_id_fields = ["application"]


@admin.register(HouseholdScore)
class HouseholdScoreAdmin(ReadOnlyAdmin):
    list_display = ["household", "year", "month", "total"]
    raw_id_fields = ["committee", "household"]
    list_select_related = ["household"]


@admin.register(RedListEntry)
class RedListEntryAdmin(ReadOnlyAdmin):
    list_display = ["household", "year", "month", "reward_kind", "amount"]
    list_filter = ["reward_kind"]
    raw_id_fields = ["committee", "household", "score"]
    list_select_related = ["household"]


@admin.register(BlackListEntry)
class BlackListEntryAdmin(ReadOnlyAdmin):
    list_display = ["household", "year", "month", "status", "notified_on", "appeal_until"]
    list_filter = ["status"]
    raw_id_fields = ["committee", "household", "score"]
    list_select_related = ["household"]


@admin.register(BlackListAppeal)
class BlackListAppealAdmin(ReadOnlyAdmin):
    list_display = ["entry", "lodged_on", "decide_by", "outcome", "decided_on"]
    list_filter = ["outcome"]
    raw_id_fields = ["entry", "decided_by"]
