"""The forms of the committee pages (村扶贫工作委员会), and what each refusal of the committee
services means on them.

A form only reads what was typed (a date, a number, a length, which row of the village is
meant); what is missing or not allowed is the service's to judge, so that the page and the
API refuse alike and with the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.core.access import UserLike, restrict
from fupin.pairing.choices import Benefit, CommitteeRole
from fupin.pairing.committees.committee import CommitteePerson
from fupin.pairing.committees.lists import Consequence
from fupin.pairing.posting_views import DayField, InputError
from fupin.registry.idnumber import IdNumberError, id_normalize
from fupin.registry.models import Household, Member

BIGGEST_ID = 2**63 - 1

# What each refusal of `pairing.committees` means, for the page; the service's own message
# (English, with the dates and numbers) is shown beneath.
REFUSALS: Mapping[str, Any] = {
    "role_not_allowed": gettext_lazy("您的岗位不能办理此事项。"),
    "no_committee": gettext_lazy("本村没有在任的扶贫工作委员会。"),
    "committee_ended": gettext_lazy("委员会任期已经结束。"),
    "policy_missing": gettext_lazy("缺少相关政策参数，请联系系统管理员。"),
    "not_a_village": gettext_lazy("不是行政村。"),
    "date_invalid": gettext_lazy("日期不符合要求：不能早于相关的起始日期，也不能是将来的日期。"),
    "formed_already": gettext_lazy("本村已有在任的委员会；请先结束其任期。"),
    "seats": gettext_lazy("委员人数与政策按本村户数规定的人数不符。"),
    "role": gettext_lazy("职务无效；接任者担任原席位的职务。"),
    "role_twice": gettext_lazy("同一职务只能由一名委员担任。"),
    "roles_incomplete": gettext_lazy("生产、生活、治安、宣传委员须各有一名。"),
    "value_missing": gettext_lazy("请填写必填项（姓名、电话、岗位名称、职责、地点等）。"),
    "background": gettext_lazy("请选择成员来源。"),
    "id_number": gettext_lazy("身份证号有误。"),
    "person_twice": gettext_lazy("同一人填写了两次，或已是本委员会委员。"),
    "reason_missing": gettext_lazy("请写明原因。"),
    "left_already": gettext_lazy("该委员已经离任。"),
    "no_members": gettext_lazy("委员会没有在任委员。"),
    "no_households": gettext_lazy("本村没有可分配的农户。"),
    "member_unknown": gettext_lazy("不是本委员会的在任委员。"),
    "member_twice": gettext_lazy("同一委员填写了两次。"),
    "household_twice": gettext_lazy("有农户被分配了两次。"),
    "household_elsewhere": gettext_lazy("该户不属于本村。"),
    "household_missing": gettext_lazy("有农户没有分配给任何委员。"),
    "load_out_of_bounds": gettext_lazy("委员联系户数超出政策规定的范围。"),
    "load_uneven": gettext_lazy("本村户数无法使每名委员都在规定范围内，请平均分配。"),
    "kind": gettext_lazy("会议类型无效。"),
    "minutes_missing": gettext_lazy("请填写会议记录。"),
    "decision_blank": gettext_lazy("决定事项不能为空。"),
    "villagers_missing": gettext_lazy("群众公开会须填写到会群众人数。"),
    "villagers_present": gettext_lazy("委员会例会只计委员，不填群众人数。"),
    "attendance_missing": gettext_lazy("请勾选到会委员。"),
    "attendee_twice": gettext_lazy("同一委员勾选了两次。"),
    "attendee_unknown": gettext_lazy("所选委员在会议当天不在任。"),
    "recorded_already": gettext_lazy("已经登记过。"),
    "pay_unit": gettext_lazy("计酬方式无效。"),
    "pay_invalid": gettext_lazy("报酬须大于零。"),
    "positions_invalid": gettext_lazy("岗位人数至少为1。"),
    "post_closed": gettext_lazy("该岗位已经关闭。"),
    "consent_missing": gettext_lazy(
        "上岗须本人自愿申请：请确认本人已同意，并写明同意的凭据（如本人签字的申请书）。"
    ),
    "not_a_villager": gettext_lazy("申请人不是本村在册村民。"),
    "applied_already": gettext_lazy("该村民已申请此岗位。"),
    "withdrawn": gettext_lazy("本人已撤回申请，不能安排上岗。"),
    "assigned_already": gettext_lazy("该申请已安排过；再次上岗须重新申请。"),
    "post_full": gettext_lazy("岗位名额已满。"),
    "not_standing": gettext_lazy("该申请已经结束或已撤回。"),
    "not_on_post": gettext_lazy("该村民当月不在岗。"),
    "value_invalid": gettext_lazy("天数和报酬不能为负数。"),
    "days_exceed": gettext_lazy("出工天数超过当月在岗天数。"),
    "criterion_unknown": gettext_lazy("有评分项目不在现行评分标准中。"),
    "score_missing": gettext_lazy("每个评分项目都须打分。"),
    "score_range": gettext_lazy("分数须在0到100之间。"),
    "scored_already": gettext_lazy("该户本月已经评过分。"),
    "reasons_missing": gettext_lazy("请写明理由。"),
    "reward_kind": gettext_lazy("奖励类型无效。"),
    "amount_invalid": gettext_lazy("奖励金额不能为负数。"),
    "score_mismatch": gettext_lazy("评分记录与农户或月份不符。"),
    "listed_already": gettext_lazy("该户本月已上红榜或黑榜。"),
    "protected_benefit": gettext_lazy(
        "黑榜不得暂停、减少或取消最低生活保障、特困人员救助供养和基本医疗保险。"
    ),
    "benefit": gettext_lazy("所选待遇无效。"),
    "consequence_kind": gettext_lazy("处理方式无效。"),
    "benefit_twice": gettext_lazy("同一待遇选择了两次。"),
    "notice_method": gettext_lazy("送达方式无效。"),
    "notified_already": gettext_lazy("已经书面告知过该户。"),
    "grounds_missing": gettext_lazy("请写明申诉理由。"),
    "not_notified": gettext_lazy("尚未书面告知，申诉期还没有开始。"),
    "appealed_already": gettext_lazy("该条已经申诉过。"),
    "appeal_late": gettext_lazy("已过申诉期限。"),
    "outcome": gettext_lazy("请选择决定结果。"),
    "decided_already": gettext_lazy("该申诉已经有决定。"),
    "not_appealed": gettext_lazy("该条没有申诉。"),
}
# Refusals about the user's post (403); every other one is about what was typed or the state
# of things (400).
REFUSED_BY_POST = frozenset({"role_not_allowed"})


def cleaned(form: forms.Form) -> dict[str, Any]:
    """The form's values, or an `InputError` saying which field is wrong and why."""
    if not form.is_valid():
        problems = [
            f"{form[name].label}：{' '.join(str(e) for e in errors)}"
            if name in form.fields
            else " ".join(str(e) for e in errors)
            for name, errors in form.errors.items()
        ]
        raise InputError("；".join(problems))
    return form.cleaned_data


class RowField(forms.IntegerField):
    """A row's id, as chosen from a list on the page."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=BIGGEST_ID, **kwargs)


# ---- the committee ---------------------------------------------------------------------------


class PersonForm(forms.Form):
    """One person's row on the committee's forms; a blank row is skipped."""

    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=30, required=False)
    phone = forms.CharField(label=gettext_lazy("电话"), max_length=20, required=False)
    party = forms.BooleanField(label=gettext_lazy("党员"), required=False)
    background = forms.CharField(label=gettext_lazy("成员来源"), max_length=16, required=False)
    role = forms.CharField(label=gettext_lazy("职务"), max_length=16, required=False)


class FormCommitteeForm(forms.Form):
    formed_on = DayField(label=gettext_lazy("成立日期"))


class ReplaceForm(forms.Form):
    member = RowField(label=gettext_lazy("离任委员"))
    on = DayField(label=gettext_lazy("接任日期"))
    reason = forms.CharField(label=gettext_lazy("离任原因"), max_length=500, required=False)


class EndForm(forms.Form):
    on = DayField(label=gettext_lazy("任期结束日期"))
    reason = forms.CharField(label=gettext_lazy("结束原因"), max_length=500, required=False)


class DivisionForm(forms.Form):
    on = DayField(label=gettext_lazy("分工开始日期"))


class MeetingForm(forms.Form):
    kind = forms.CharField(label=gettext_lazy("会议类型"), max_length=8)
    held_on = DayField(label=gettext_lazy("会议日期"))
    villagers_present = forms.IntegerField(label=gettext_lazy("到会群众人数"), min_value=0,
                                           max_value=100_000, required=False)  # fmt: skip
    minutes = forms.CharField(label=gettext_lazy("会议记录"), max_length=4000, required=False)
    decisions = forms.CharField(label=gettext_lazy("决定事项"), max_length=20_000, required=False)


def people(data: Mapping[str, Any], *, rows: int, prefix: str = "p") -> list[CommitteePerson]:
    """The persons typed in rows `p1-…` to `p<rows>-…` (blank rows skipped)."""
    found = []
    for number in range(1, rows + 1):
        row = cleaned(PersonForm(data, prefix=f"{prefix}{number}"))
        if not any(row[key] for key in ("name", "id_number", "phone")):
            continue
        found.append(CommitteePerson(row["name"], row["id_number"], row["phone"], row["party"],
                                     row["background"], row["role"]))  # fmt: skip
    return found


def successor(data: Mapping[str, Any]) -> CommitteePerson:
    """The successor typed in the row `s-…`; the seat's role is theirs."""
    row = cleaned(PersonForm(data, prefix="s"))
    return CommitteePerson(row["name"], row["id_number"], row["phone"], row["party"],
                           row["background"])  # fmt: skip


def decisions(text: str) -> list[str]:
    """One decision a line; blank lines are not decisions."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def attendees(data: Any) -> list[int]:
    """The members ticked as present."""
    ticked = data.getlist("attendees") if hasattr(data, "getlist") else []
    try:
        found = [int(value) for value in ticked]
    except ValueError:
        raise InputError(_("请从名单中勾选到会委员。")) from None
    if any(not 1 <= value <= BIGGEST_ID for value in found):
        raise InputError(_("请从名单中勾选到会委员。"))
    return found


def role_rows(seats: int) -> list[dict[str, Any]]:
    """Blank rows for a committee of `seats`: the four officers first, then members."""
    officers = [role.value for role in CommitteeRole if role != CommitteeRole.MEMBER]
    roles = officers + [CommitteeRole.MEMBER.value] * max(seats - len(officers), 0)
    return [{"n": n, "name": "", "id_number": "", "phone": "", "party": False,
             "background": "", "role": role} for n, role in enumerate(roles, start=1)]  # fmt: skip


def typed_rows(data: Mapping[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with what was typed in them kept."""
    for row in rows:
        for field in ("name", "id_number", "phone", "background", "role"):
            row[field] = data.get(f"p{row['n']}-{field}", "")
        row["party"] = bool(data.get(f"p{row['n']}-party"))
    return rows


# ---- labour posts ----------------------------------------------------------------------------


class PostForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("岗位名称"), max_length=100, required=False)
    duties = forms.CharField(label=gettext_lazy("岗位职责"), max_length=4000, required=False)
    place = forms.CharField(label=gettext_lazy("工作地点"), max_length=200, required=False)
    pay_amount = forms.DecimalField(label=gettext_lazy("报酬（元）"), max_digits=10,
                                    decimal_places=2, min_value=0)  # fmt: skip
    pay_unit = forms.CharField(label=gettext_lazy("计酬方式"), max_length=6, required=False)
    positions = forms.IntegerField(label=gettext_lazy("岗位人数"), min_value=0, max_value=1000)
    opened_on = DayField(label=gettext_lazy("设岗日期"))


class ApplicationForm(forms.Form):
    villager = forms.CharField(label=gettext_lazy("申请人"), max_length=50)
    applied_on = DayField(label=gettext_lazy("申请日期"))
    consent = forms.BooleanField(label=gettext_lazy("本人自愿申请"), required=False)
    consent_evidence = forms.CharField(label=gettext_lazy("同意凭据"), max_length=200,
                                       required=False)  # fmt: skip
    consent_given_on = DayField(label=gettext_lazy("本人签字日期"), required=False)


class DayForm(forms.Form):
    on = DayField(label=gettext_lazy("日期"))


class WithdrawForm(DayForm):
    note = forms.CharField(label=gettext_lazy("说明"), max_length=500, required=False)


class LeaveForm(DayForm):
    reason = forms.CharField(label=gettext_lazy("离岗原因"), max_length=500, required=False)


class WorkMonthForm(forms.Form):
    application = RowField(label=gettext_lazy("在岗人员"))
    year = forms.IntegerField(label=gettext_lazy("年"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=gettext_lazy("月"), min_value=1, max_value=12)
    days_worked = forms.IntegerField(label=gettext_lazy("出工天数"), min_value=0, max_value=31)
    amount_paid = forms.DecimalField(label=gettext_lazy("报酬（元）"), max_digits=10,
                                     decimal_places=2, min_value=0)  # fmt: skip
    paid_on = DayField(label=gettext_lazy("发放日期"), required=False)


def villager_find(user: UserLike, village: str, typed: str) -> Member:
    """The villager of `village` meant by an ID number or, if only one bears it, a name."""
    typed = typed.strip()
    members: QuerySet[Member] = restrict(
        Member.objects.filter(household__village_id=village, is_active=True), user, "view"
    )
    try:
        found = list(members.filter(id_number=id_normalize(typed))[:1])
    except IdNumberError:
        found = list(members.filter(name=typed)[:2])
    if len(found) == 1:
        return found[0]
    if found:
        raise InputError(_("本村有多名村民叫 %(name)s，请填写身份证号。") % {"name": typed})
    raise InputError(_("本村没有在册村民 %(who)s。") % {"who": typed})


# ---- scores and lists ------------------------------------------------------------------------


class MonthForm(forms.Form):
    household = forms.CharField(label=gettext_lazy("户编号"), max_length=32)
    year = forms.IntegerField(label=gettext_lazy("年"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=gettext_lazy("月"), min_value=1, max_value=12)


class ScoreForm(MonthForm):
    note = forms.CharField(label=gettext_lazy("备注"), max_length=500, required=False)


class RedListForm(MonthForm):
    reasons = forms.CharField(label=gettext_lazy("上榜理由"), max_length=4000, required=False)
    reward_kind = forms.CharField(label=gettext_lazy("奖励类型"), max_length=8, required=False)
    reward = forms.CharField(label=gettext_lazy("奖励内容"), max_length=200, required=False)
    amount = forms.DecimalField(label=gettext_lazy("折合金额（元）"), max_digits=10,
                                decimal_places=2, min_value=0, required=False)  # fmt: skip
    listed_on = DayField(label=gettext_lazy("公布日期"))


class BlackListForm(MonthForm):
    reasons = forms.CharField(label=gettext_lazy("书面理由"), max_length=4000, required=False)
    listed_on = DayField(label=gettext_lazy("公布日期"))


class NoticeForm(DayForm):
    method = forms.CharField(label=gettext_lazy("送达方式"), max_length=12, required=False)
    receiver = forms.CharField(label=gettext_lazy("签收人"), max_length=50, required=False)


class AppealForm(DayForm):
    grounds = forms.CharField(label=gettext_lazy("申诉理由"), max_length=4000, required=False)


class DecisionForm(DayForm):
    outcome = forms.CharField(label=gettext_lazy("决定"), max_length=10, required=False)
    reasons = forms.CharField(label=gettext_lazy("决定理由"), max_length=4000, required=False)


def scores(data: Mapping[str, Any], codes: list[str]) -> dict[str, Decimal]:
    """The score typed for each criterion (`score-<code>`); a blank one is left out, for the
    service to name."""
    found: dict[str, Decimal] = {}
    for code in codes:
        typed = str(data.get(f"score-{code}", "")).strip()
        if not typed:
            continue
        field = forms.DecimalField(max_digits=5, decimal_places=2)
        try:
            found[code] = field.clean(typed)
        except forms.ValidationError:
            message = _("分数须是数字（最多两位小数）：%(value)s") % {"value": typed}
            raise InputError(message) from None
    return found


def consequences(data: Mapping[str, Any]) -> list[Consequence]:
    """The consequence chosen for each benefit (`c-<benefit>`, blank: none) and its note
    (`n-<benefit>`). Every benefit is read, the protected ones too, so that the service
    refuses them by name."""
    kind, note = (forms.CharField(max_length=8, required=False),
                  forms.CharField(max_length=200, required=False))  # fmt: skip
    found = []
    for benefit in Benefit.values:
        try:
            chosen = kind.clean(data.get(f"c-{benefit}", ""))
            noted = note.clean(data.get(f"n-{benefit}", ""))
        except forms.ValidationError as exc:
            raise InputError(f"{Benefit(benefit).label}：{' '.join(exc.messages)}") from None
        if chosen:
            found.append(Consequence(chosen, benefit, noted))
    return found


def household_find(user: UserLike, village: str, number: str) -> Household:
    """The village's household of the number typed."""
    found = (
        restrict(Household.objects.filter(village_id=village), user, "view")
        .filter(household_no=number.strip())
        .first()
    )
    if found is None:
        raise InputError(_("本村没有户编号为 %(number)s 的农户。") % {"number": number.strip()})
    return found
