"""The procedures (工作程序) as data: each kind of case, its steps in order, who may take
each step, the evidence each needs, and which steps are public notices.

Pure data and pure checks, no Django import: the services take steps one case at a time,
the annual run and the simulation take them in bulk, and both ask the same questions here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

# Roles are the slugs of core.choices.Role (kept as plain strings: this module is pure).
VILLAGE = frozenset({"village_cadre", "first_secretary"})
WORK_TEAM = frozenset({"first_secretary", "work_team"})
TOWNSHIP = frozenset({"township"})
COUNTY = frozenset({"county"})
PREFECTURE = frozenset({"prefecture"})
PROVINCE = frozenset({"province"})
NATIONAL = frozenset({"national"})
EVALUATOR = frozenset({"evaluator"})


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence a step needs: a key, its Chinese label and its kind of value."""

    key: str
    label: str
    kind: str = "text"  # text | count | votes | rate | date | choice | list


E_APPLICATION = Evidence("application", "书面申请书")
E_CONSENT = Evidence("consent", "承诺授权书（同意查询家庭资产）")
E_MINUTES = Evidence("minutes", "会议记录")
E_VOTES = Evidence("votes", "表决票数（同意/反对/弃权）", "votes")
E_VISIT = Evidence("visit_record", "入户核查记录")
E_SIGNATURE = Evidence("signature", "农户签字确认")
E_NOTICE_PLACE = Evidence("notice_place", "公示地点（附照片）")
E_REVIEW = Evidence("review_opinion", "审核意见")
E_SPOT_CHECK = Evidence("spot_checked", "抽查户数", "count")
E_APPROVAL = Evidence("approval_document", "批复文件文号")
E_FORM = Evidence("registration_form", "贫困户登记表编号")
E_COMPARISON = Evidence("comparison_result", "部门数据比对结果")
E_REASON = Evidence("reason", "原因说明")
E_WAY = Evidence("elimination_way", "风险消除方式", "choice")
E_INDICATORS = Evidence("indicators", "退出指标核查表", "list")
E_INCIDENCE = Evidence("incidence", "贫困发生率", "rate")
E_WRONG_EXIT = Evidence("wrong_exit_rate", "错退率", "rate")
E_OMISSION = Evidence("omission_rate", "漏评率", "rate")
E_SATISFACTION = Evidence("satisfaction", "群众认可度", "rate")
E_REPORT = Evidence("report", "评估报告")

CHOICES = {"elimination_way": ("assistance", "natural")}


@dataclass(frozen=True)
class Step:
    """One step of a procedure: who may take it, the evidence it needs, whether it is a
    public notice (the next step waits for the notice period; objections may be raised)."""

    slug: str
    label: str
    roles: frozenset[str]
    evidence: tuple[Evidence, ...] = ()
    notice: bool = False


@dataclass(frozen=True)
class Procedure:
    """A kind of case: its steps in order and what it does to the register when approved."""

    kind: str
    label: str
    steps: tuple[Step, ...]
    subject: str  # household | village | county
    from_statuses: frozenset[str] = frozenset()
    to_status: str = ""
    deadline_days: int | None = None  # from clue to decision

    def step(self, slug: str) -> Step:
        """The step called `slug`."""
        for step in self.steps:
            if step.slug == slug:
                return step
        raise KeyError(slug)

    def index(self, slug: str) -> int:
        """The position of step `slug`."""
        return [step.slug for step in self.steps].index(slug)


def _notice(slug: str, label: str, roles: frozenset[str] = VILLAGE) -> Step:
    return Step(slug, label, roles, (E_NOTICE_PLACE,), notice=True)


IDENTIFICATION = Procedure(
    kind="identification",
    label="新识别",
    subject="household",
    from_statuses=frozenset({"not_registered", "removed"}),
    to_status="registered",
    steps=(
        Step("application", "农户申请", VILLAGE | WORK_TEAM, (E_APPLICATION,)),
        Step("village_appraisal", "村民代表大会民主评议", VILLAGE, (E_MINUTES, E_VOTES)),
        _notice("first_notice", "村内第一次公示"),
        Step("township_review", "乡镇审核", TOWNSHIP, (E_REVIEW, E_SPOT_CHECK)),
        _notice("second_notice", "村内第二次公示", VILLAGE | TOWNSHIP),
        Step("county_approval", "县级审定", COUNTY, (E_APPROVAL, E_SPOT_CHECK)),
        Step("announcement", "村内公告", VILLAGE | COUNTY, (E_NOTICE_PLACE,)),
        Step("registration", "建档立卡录入系统", VILLAGE | TOWNSHIP | COUNTY, (E_FORM,)),
    ),
)

EXIT = Procedure(
    kind="exit",
    label="脱贫退出",
    subject="household",
    from_statuses=frozenset({"registered", "returned"}),
    to_status="exited",
    steps=(
        Step("village_appraisal", "村两委组织民主评议", VILLAGE, (E_MINUTES, E_VOTES)),
        Step("verification", "村两委和驻村工作队核实", WORK_TEAM | VILLAGE, (E_VISIT,)),
        Step("household_confirmation", "贫困户认可签字", VILLAGE | WORK_TEAM, (E_SIGNATURE,)),
        _notice("notice", "村内公示"),
        Step("announcement", "公告", VILLAGE | TOWNSHIP | COUNTY, (E_NOTICE_PLACE,)),
        Step("deregistration", "系统标注脱贫（销号）", COUNTY, (E_APPROVAL,)),
    ),
)

RETURN = Procedure(
    kind="return",
    label="返贫",
    subject="household",
    from_statuses=frozenset({"exited"}),
    to_status="returned",
    steps=(
        Step("verification", "入户核实", VILLAGE | WORK_TEAM, (E_VISIT, E_REASON)),
        Step("village_appraisal", "村民代表大会民主评议", VILLAGE, (E_MINUTES, E_VOTES)),
        _notice("notice", "村内公示"),
        Step("township_review", "乡镇审核", TOWNSHIP, (E_REVIEW,)),
        Step("county_approval", "县级审定", COUNTY, (E_APPROVAL,)),
    ),
)

REMOVAL = Procedure(
    kind="removal",
    label="剔除（识别不准）",
    subject="household",
    from_statuses=frozenset({"registered", "returned", "exited"}),
    to_status="removed",
    steps=(
        Step("verification", "入户核实", VILLAGE | WORK_TEAM | TOWNSHIP, (E_VISIT, E_REASON)),
        Step("village_appraisal", "村民代表大会民主评议", VILLAGE, (E_MINUTES, E_VOTES)),
        _notice("notice", "村内公示"),
        Step("township_review", "乡镇审核", TOWNSHIP, (E_REVIEW,)),
        Step("county_approval", "县级审定", COUNTY, (E_APPROVAL,)),
    ),
)

MONITORING = Procedure(
    kind="monitoring",
    label="防返贫监测对象识别",
    subject="household",
    deadline_days=15,
    steps=(
        Step("application", "农户申请并承诺授权", VILLAGE | WORK_TEAM, (E_APPLICATION, E_CONSENT)),
        Step("home_visit", "入户核实", VILLAGE | WORK_TEAM, (E_VISIT,)),
        Step("data_comparison", "部门数据比对", TOWNSHIP | COUNTY, (E_COMPARISON,)),
        Step("village_appraisal", "村级民主评议", VILLAGE, (E_MINUTES, E_VOTES)),
        _notice("notice", "村内公示（不含身份证号、电话、银行账号和健康信息）"),
        Step("township_review", "乡镇审核", TOWNSHIP, (E_REVIEW,)),
        Step("county_approval", "县级审定并公告", COUNTY, (E_APPROVAL,)),
    ),
)

RISK_ELIMINATION = Procedure(
    kind="risk_elimination",
    label="风险消除",
    subject="household",
    steps=(
        Step("home_visit", "入户核实", VILLAGE | WORK_TEAM, (E_VISIT, E_WAY)),
        Step("village_appraisal", "村级民主评议", VILLAGE, (E_MINUTES, E_VOTES)),
        _notice("notice", "村内公示（不含身份证号、电话、银行账号和健康信息）"),
        Step("county_approval", "县级审定", COUNTY, (E_APPROVAL,)),
        Step("announcement", "公告", VILLAGE | COUNTY, (E_NOTICE_PLACE,)),
    ),
)

VILLAGE_EXIT = Procedure(
    kind="village_exit",
    label="贫困村退出",
    subject="village",
    steps=(
        Step("village_application", "村级申请", VILLAGE, (E_APPLICATION, E_INCIDENCE)),
        Step("township_review", "乡镇初审", TOWNSHIP, (E_REVIEW,)),
        Step("county_verification", "县级核查", COUNTY, (E_REPORT, E_INCIDENCE, E_INDICATORS)),
        _notice("notice", "乡镇内公示", TOWNSHIP | COUNTY),
        Step("county_approval", "县级审定", COUNTY, (E_APPROVAL,)),
        Step("announcement", "公告退出", COUNTY, (E_NOTICE_PLACE,)),
    ),
)

COUNTY_EXIT = Procedure(
    kind="county_exit",
    label="贫困县退出",
    subject="county",
    steps=(
        Step("county_application", "县级提出申请", COUNTY, (E_APPLICATION, E_INCIDENCE)),
        Step("prefecture_review", "市级初审", PREFECTURE, (E_REVIEW,)),
        Step("province_verification", "省级核查", PROVINCE, (E_REPORT, E_INDICATORS)),
        _notice("notice", "省级公示征求意见", PROVINCE),
        Step("province_report", "省级审定并报国务院扶贫开发领导小组", PROVINCE, (E_APPROVAL,)),
        Step(
            "third_party_evaluation",
            "国家专项评估检查（第三方评估）",
            EVALUATOR | NATIONAL,
            (E_REPORT, E_INCIDENCE, E_WRONG_EXIT, E_OMISSION, E_SATISFACTION),
        ),
        Step("province_approval", "省级正式批准退出", PROVINCE, (E_APPROVAL,)),
    ),
)

PROCEDURES: dict[str, Procedure] = {
    procedure.kind: procedure
    for procedure in (
        IDENTIFICATION, EXIT, RETURN, REMOVAL, MONITORING, RISK_ELIMINATION, VILLAGE_EXIT,
        COUNTY_EXIT,
    )
}  # fmt: skip


class StepRefused(ValueError):
    """A step that may not be taken; `code` is stable, the message says why in full."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class CaseState:
    """What the checks need to know about a case: where it stands and since when."""

    kind: str
    done: tuple[str, ...]  # slugs of the steps taken and standing, in order
    open: bool
    awaiting_reverification: bool = False
    notice_ends: date | None = None  # last day of the standing notice, if the last step was one


def next_step(procedure: Procedure, state: CaseState) -> Step | None:
    """The step the case waits for (None once every step is taken)."""
    if len(state.done) >= len(procedure.steps):
        return None
    return procedure.steps[len(state.done)]


def step_check(
    procedure: Procedure,
    state: CaseState,
    *,
    slug: str,
    roles: set[str],
    evidence: Mapping[str, Any],
    on: date,
) -> dict[str, Any]:
    """Refuse a step out of order, by a role not allowed, too early or without its evidence;
    return the evidence cleaned to plain JSON values."""
    if not state.open:
        raise StepRefused("case_closed", "the case is closed; no further step can be taken")
    if state.awaiting_reverification:
        raise StepRefused(
            "reverification_pending",
            "an objection was raised during the notice: re-verify it before any other step",
        )
    expected = next_step(procedure, state)
    if expected is None or expected.slug != slug:
        known = [step.slug for step in procedure.steps]
        if slug not in known:
            raise StepRefused("unknown_step", f"{procedure.kind} has no step {slug!r}")
        wanted = expected.slug if expected else "none"
        raise StepRefused("out_of_order", f"step {slug!r} cannot be taken now; next is {wanted!r}")
    if not roles & expected.roles:
        allowed = ", ".join(sorted(expected.roles))
        raise StepRefused(
            "role_not_allowed", f"step {slug!r} ({expected.label}) is taken by: {allowed}"
        )
    if state.notice_ends is not None and on <= state.notice_ends:
        raise StepRefused(
            "notice_running",
            f"the notice runs until {state.notice_ends.isoformat()} inclusive; wait for it",
        )
    return evidence_clean(expected, evidence)


def evidence_clean(step: Step, evidence: Mapping[str, Any]) -> dict[str, Any]:
    """Check every piece of evidence `step` needs; return it as plain JSON values."""
    cleaned: dict[str, Any] = {}
    missing = [item for item in step.evidence if _blank(evidence.get(item.key))]
    if missing:
        names = ", ".join(f"{item.key} ({item.label})" for item in missing)
        raise StepRefused("evidence_missing", f"step {step.slug!r} needs: {names}")
    for item in step.evidence:
        cleaned[item.key] = _evidence_value(item, evidence[item.key])
    extra = {key: value for key, value in evidence.items() if key not in cleaned}
    for key, value in extra.items():
        cleaned[key] = value if isinstance(value, (int, str, bool)) else str(value)
    return cleaned


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _evidence_value(item: Evidence, value: Any) -> Any:
    if item.kind == "count":
        return _count(item, value)
    if item.kind == "votes":
        if not isinstance(value, Mapping):
            raise StepRefused("evidence_invalid", f"{item.key}: give for, against and abstain")
        votes = {part: _count(item, value.get(part, 0)) for part in ("for", "against", "abstain")}
        if votes["for"] + votes["against"] + votes["abstain"] == 0:
            raise StepRefused("evidence_invalid", f"{item.key}: no votes were counted")
        return votes
    if item.kind == "rate":
        return str(_rate(item, value))
    if item.kind == "choice":
        if value not in CHOICES[item.key]:
            raise StepRefused(
                "evidence_invalid", f"{item.key}: one of {', '.join(CHOICES[item.key])}"
            )
        return value
    if item.kind == "list":
        if not isinstance(value, Mapping) or not value:
            raise StepRefused("evidence_invalid", f"{item.key}: give each indicator's result")
        return {str(key): bool(result) for key, result in value.items()}
    return str(value).strip()


def _count(item: Evidence, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise StepRefused("evidence_invalid", f"{item.key}: a whole number is needed")
    try:
        number = int(value)
    except ValueError:
        raise StepRefused("evidence_invalid", f"{item.key}: {value!r} is not a number") from None
    if number < 0:
        raise StepRefused("evidence_invalid", f"{item.key}: cannot be negative")
    return number


def _rate(item: Evidence, value: Any) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise StepRefused("evidence_invalid", f"{item.key}: {value!r} is not a rate") from None
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
        raise StepRefused("evidence_invalid", f"{item.key}: a rate between 0 and 1, not {value}")
    return rate


def appraisal_passed(votes: Mapping[str, int]) -> bool:
    """A democratic appraisal passes with more votes for than against."""
    return votes["for"] > votes["against"]


@dataclass(frozen=True)
class EvaluationThresholds:
    """The bars a village or county exit is held to (三率一度); the policy tables give them."""

    incidence: Decimal
    wrong_exit: Decimal
    omission: Decimal
    satisfaction: Decimal


def evaluation_vetoes(evidence: Mapping[str, Any], bars: EvaluationThresholds) -> list[str]:
    """The failed measures of a county's third-party evaluation; any one is a veto."""
    vetoes = []
    if Decimal(evidence["incidence"]) >= bars.incidence:
        vetoes.append("incidence")
    if Decimal(evidence["wrong_exit_rate"]) >= bars.wrong_exit:
        vetoes.append("wrong_exit_rate")
    if Decimal(evidence["omission_rate"]) >= bars.omission:
        vetoes.append("omission_rate")
    if Decimal(evidence["satisfaction"]) < bars.satisfaction:
        vetoes.append("satisfaction")
    return vetoes
