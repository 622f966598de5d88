"""The exit check's pages (第三方评估): the checks the user may see, drawing one, and a
check's page with its sample, the survey downloads, the upload of the filled workbook,
the three rates and one degree with their bars, completion, and the county exit case's
third-party evaluation step taken with the check's evidence.

Every page reads through `core.access` (`access_get`, `restrict`); out of scope and missing
answer the same 404. Writes go through `verification.services` and, for the exit case,
`targeting.services`; a refusal is shown on the page and nothing is written.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.access import access_get, roles_at, user_prefixes
from fupin.core.audit import Actor
from fupin.monitoring.models import CHECK_KEEPERS, SAMPLE_READERS, ExitCheck
from fupin.monitoring.verification.choices import CheckStatus, Stratum, VillageKind
from fupin.monitoring.verification.queries import (
    ResultsIncomplete,
    county_exit_case,
    exit_check_evidence,
    exit_check_results,
    exit_checks,
    stratum_counts,
    survey_header,
    survey_rows,
)
from fupin.monitoring.verification.services import (
    SEED_BITS,
    CheckError,
    exit_check_complete,
    exit_check_draw,
    exit_check_send,
    findings_import,
)
from fupin.monitoring.verification.survey_pdf import survey_pdf
from fupin.monitoring.verification.workbook import FindingsError, survey_workbook
from fupin.policy.queries import PolicyMissing
from fupin.targeting import procedures as p
from fupin.targeting.choices import Outcome
from fupin.targeting.queries import case_next_steps
from fupin.targeting.services import CaseError, case_step_take

PAGE_SIZE = 50
UPLOAD_MAX_BYTES = 20 << 20
EVALUATION_STEP = "third_party_evaluation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# (results key, label, evidence key the veto names, whether the bar is a floor)
MEASURES = (
    ("wrong_exit_rate", gettext_lazy("错退率"), "wrong_exit_rate", False),
    ("omission_rate", gettext_lazy("漏评率"), "omission_rate", False),
    ("recognition", gettext_lazy("群众认可度"), "satisfaction", True),
    ("incidence", gettext_lazy("综合贫困发生率"), "incidence", False),
)
# CheckError codes -> what the page says (the service's English message follows it).
REFUSALS = {
    "county_unknown": gettext_lazy("没有这个县级区划代码。"),
    "role_not_allowed": gettext_lazy("只有第三方评估人员或国家扶贫办可以办理核查。"),
    "seed_invalid": gettext_lazy("随机种子应为非负整数。"),
    "frame_empty": gettext_lazy("该县没有可抽样的农户。"),
    "check_exists": gettext_lazy("该县本年度已有核查。"),
    "check_in_field": gettext_lazy("调查表已下发，样本不能重抽。"),
    "check_completed": gettext_lazy("核查已完成，结果已固定。"),
    "results_incomplete": gettext_lazy("还有指标没有调查到的农户，不能完成核查。"),
    "check_not_completed": gettext_lazy("核查完成后才能据以办理第三方评估。"),
    "no_county_exit_case": gettext_lazy("该县本年度没有进行中的贫困县退出案件。"),
    "upload_invalid": gettext_lazy("请选择要上传的调查表（.xlsx，20 MB 以内）。"),
    "unknown_action": gettext_lazy("未知的操作。"),
}


def _user(request: HttpRequest) -> AbstractBaseUser:
    user = request.user
    assert isinstance(user, AbstractBaseUser), "the view requires login"
    return user


def _keeps(user: AbstractBaseUser, county_code: str) -> bool:
    """Whether the user's posts keep exit checks over the county (the services check again)."""
    return bool(roles_at(user, county_code) & CHECK_KEEPERS)


class DrawForm(forms.Form):
    """A county and year to draw an exit check for, with an optional seed."""

    county_code = forms.RegexField(
        label=gettext_lazy("县级区划代码"), regex=r"^\d{6}$", max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": r"\d{6}", "size": 6}),
    )  # fmt: skip
    year = forms.IntegerField(label=gettext_lazy("核查年度"), min_value=2013, max_value=2100)
    seed = forms.IntegerField(
        label=gettext_lazy("随机种子（可选）"), required=False, min_value=0,
        max_value=2**SEED_BITS - 1, help_text=gettext_lazy("同一种子抽出同一样本；留空则随机生成"),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class EvaluationForm(forms.Form):
    """The day the county exit case's third-party evaluation step is taken, and a note."""

    on = forms.DateField(
        label=gettext_lazy("办理日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=gettext_lazy("说明（可选）"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def check_list(request: HttpRequest) -> HttpResponse:
    """The exit checks the user may see, newest first, and the form to draw one."""
    user = _user(request)
    may_draw = bool(user_prefixes(user, CHECK_KEEPERS))
    form = DrawForm(request.POST or None, initial={"year": timezone.localdate().year})
    error, status = "", 200
    if request.method == "POST":
        if not may_draw:
            error, status = str(REFUSALS["role_not_allowed"]), 403
        elif form.is_valid():
            data = form.cleaned_data
            try:
                check = exit_check_draw(county_code=data["county_code"], year=data["year"],
                                        seed=data["seed"], actor=Actor.of(user))  # fmt: skip
            except CheckError as refused:
                error, status = _refusal(refused), _status(refused)
            else:
                messages.success(request, _("已抽取核查样本：核查编号 %(pk)s。") % {"pk": check.pk})
                return redirect("verify:check", check_id=check.pk)
        else:
            status = 400
    checks = exit_checks(user=user).select_related("county")
    page = Paginator(checks, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(check, _sampled(check), _result_values(check)) for check in page]
    return render(request, "monitoring/verify/list.html", {
        "section": "verify", "page": page, "rows": rows, "form": form, "may_draw": may_draw,
        "error": error,
    }, status=status)  # fmt: skip


def _sampled(check: ExitCheck) -> int:
    drawn = (check.parameters or {}).get("drawn", {}).get("households", {})
    return sum(int(n) for n in drawn.values())


def _result_values(check: ExitCheck) -> list[str]:
    """A completed check's four measures as percentages (empty before completion)."""
    if check.results is None:
        return []
    return [_percent(check.results[key]["value"]) for key, _label, _veto, _floor in MEASURES]


@login_required
@require_http_methods(["GET", "POST"])
def check_detail(request: HttpRequest, check_id: int) -> HttpResponse:
    """A check: its sample, survey, findings, results and, once completed, the county exit
    case it gives its evidence to; a POST takes the action named by `action`."""
    check = access_get(ExitCheck.objects.select_related("county"), request.user, "view",
                       pk=check_id)  # fmt: skip
    if request.method != "POST":
        return _detail(request, check)
    action = request.POST.get("action", "")
    handlers = {"upload": _upload, "send": _send, "complete": _complete,
                "evaluation": _evaluation}  # fmt: skip
    handler = handlers.get(action)
    if handler is None:
        return _detail(request, check, error=str(REFUSALS["unknown_action"]), status=400)
    return handler(request, check)


def _upload(request: HttpRequest, check: ExitCheck) -> HttpResponse:
    """Import the filled survey workbook: written whole, or refused with every problem."""
    file = request.FILES.get("file")
    name = Path((file.name if file else "") or "upload.xlsx").name
    if file is None or Path(name).suffix.lower() != ".xlsx" or (file.size or 0) > UPLOAD_MAX_BYTES:
        return _detail(request, check, error=str(REFUSALS["upload_invalid"]), status=400)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.xlsx"
        with path.open("wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        try:
            written = findings_import(exit_check=check, path=path, actor=Actor.of(request.user),
                                      file_name=name)  # fmt: skip
        except FindingsError as refused:
            return _detail(request, check, file_name=name, issues=refused.issues, status=400)
        except CheckError as refused:
            return _detail(request, check, error=_refusal(refused), status=_status(refused))
        except PolicyMissing as missing:
            error = _("缺少该年度的退出标准：%(why)s") % {"why": missing}
            return _detail(request, check, error=error, status=409)
    messages.success(request, _("“%(name)s”已导入 %(n)s 户的入户调查结果。")
                     % {"name": name, "n": written})  # fmt: skip
    return redirect("verify:check", check_id=check.pk)


def _send(request: HttpRequest, check: ExitCheck) -> HttpResponse:
    """Record that the survey forms went to the field: the sample stays as drawn."""
    try:
        exit_check_send(exit_check=check, actor=Actor.of(request.user))
    except CheckError as refused:
        return _detail(request, check, error=_refusal(refused), status=_status(refused))
    messages.success(request, _("已登记调查表下发，样本不再重抽。"))
    return redirect("verify:check", check_id=check.pk)


def _complete(request: HttpRequest, check: ExitCheck) -> HttpResponse:
    """Fix the results (三率一度) and close the check to changes."""
    try:
        exit_check_complete(exit_check=check, actor=Actor.of(request.user))
    except CheckError as refused:
        return _detail(request, check, error=_refusal(refused), status=_status(refused))
    messages.success(request, _("核查已完成，结果已固定。"))
    return redirect("verify:check", check_id=check.pk)


def _evaluation(request: HttpRequest, check: ExitCheck) -> HttpResponse:
    """Take the county exit case's third-party evaluation step with the completed check's
    evidence (the rates and the report); the procedure's own checks decide who may, when,
    and whether a veto rejects the case."""
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        return _detail(request, check, evaluation_form=form, status=400)
    user = _user(request)
    case = county_exit_case(check, user)
    try:
        if check.status != CheckStatus.COMPLETED:
            raise CheckError("check_not_completed", "the check is not completed")
        if case is None:
            raise CheckError("no_county_exit_case", "no open county exit case for the year")
        evaluation = exit_check_evidence(exit_check=check)
        case = case_step_take(case=case, step=EVALUATION_STEP, on=form.cleaned_data["on"],
                              actor=Actor.of(user), evidence=evaluation.evidence,
                              note=form.cleaned_data["note"])  # fmt: skip
    except CheckError as refused:
        return _detail(request, check, error=_refusal(refused), status=_status(refused))
    except CaseError as refused:
        error = _("未能办理第三方评估步骤：%(why)s") % {"why": refused}
        status = 403 if refused.code == "role_not_allowed" else 400
        return _detail(request, check, evaluation_form=form, error=error, status=status)
    if case.outcome == Outcome.REJECTED:
        messages.warning(request, _("已办理第三方评估；一票否决，退出申请不予通过：%(why)s")
                         % {"why": case.reason})  # fmt: skip
    else:
        messages.success(request, _("已以本次核查结果办理第三方评估步骤。"))
    return redirect("web:case_detail", case_id=case.pk)


def _refusal(refused: CheckError) -> str:
    lead = REFUSALS.get(refused.code)
    return f"{lead} ({refused})" if lead else str(refused)


def _status(refused: CheckError) -> int:
    return 403 if refused.code == "role_not_allowed" else 400


def _detail(
    request: HttpRequest,
    check: ExitCheck,
    *,
    error: str = "",
    file_name: str = "",
    issues: list[Any] | None = None,
    evaluation_form: EvaluationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    keeps = _keeps(user, check.county_id)
    results = check.results or exit_check_results(exit_check=check).as_dict()
    verdict, verdict_missing = _verdict(check)
    context: dict[str, Any] = {
        "section": "verify", "check": check, "keeps": keeps, "error": error,
        "reads_sample": bool(roles_at(user, check.county_id) & SAMPLE_READERS),
        "file_name": file_name, "issues": issues or [], "completed":
        check.status == CheckStatus.COMPLETED, "results": results,
        "measures": _measure_rows(results, verdict), "verdict": verdict,
        "verdict_missing": verdict_missing, "villages": _village_rows(check),
        "strata": _stratum_rows(check), "sizes": check.parameters.get("sizes", {}),
        "populations": check.parameters.get("populations", {}),
    }  # fmt: skip
    if check.status == CheckStatus.COMPLETED:
        context.update(_case_context(check, user, evaluation_form))
    return render(request, "monitoring/verify/detail.html", context, status=status)


def _verdict(check: ExitCheck) -> tuple[dict[str, Any] | None, str]:
    """The bars and the vetoes the results give (None, and why, while a rate is unmeasured)."""
    try:
        evaluation = exit_check_evidence(exit_check=check)
    except ResultsIncomplete:
        return None, _("有指标尚无调查到的农户，暂不能判定。")
    except PolicyMissing as missing:
        return None, _("缺少该年度的评估标准：%(why)s") % {"why": missing}
    bars = evaluation.bars
    return {
        "vetoes": evaluation.vetoes,
        "bars": {"wrong_exit_rate": bars.wrong_exit, "omission_rate": bars.omission,
                 "satisfaction": bars.satisfaction, "incidence": bars.incidence},
        "evidence": evaluation.evidence,
    }, ""  # fmt: skip


def _measure_rows(results: dict[str, Any], verdict: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for key, label, veto, floor in MEASURES:
        estimate = results[key]
        bar = verdict["bars"][veto] if verdict else None
        rows.append({
            "label": label, "value": _percent(estimate["value"]),
            "low": _percent(estimate["low"]), "high": _percent(estimate["high"]),
            "numerator": _number(estimate["numerator"]),
            "denominator": _number(estimate["denominator"]),
            "bar": "" if bar is None else f"{'≥' if floor else '<'} {_bar_percent(bar)}",
            "vetoed": None if verdict is None else veto in verdict["vetoes"],
        })  # fmt: skip
    return rows


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


def _bar_percent(bar: Decimal) -> str:
    return f"{format((bar * 100).normalize(), 'f')}%"


def _number(value: float) -> str:
    return f"{value:g}"


def _village_rows(check: ExitCheck) -> list[tuple[str, int, int]]:
    frame = check.parameters.get("frame", {}).get("villages", {})
    drawn = check.parameters.get("drawn", {}).get("villages", {})
    return [(str(label), int(drawn.get(kind, 0)), int(frame.get(kind, 0)))
            for kind, label in VillageKind.choices]  # fmt: skip


def _stratum_rows(check: ExitCheck) -> list[tuple[str, int, int, int]]:
    """Per stratum: its label, households sampled, in the county's frame, and surveyed."""
    labels = dict(Stratum.choices)
    return [(str(labels[row.stratum]), row.sampled, row.frame, row.surveyed)
            for row in stratum_counts(check)]  # fmt: skip


def _case_context(
    check: ExitCheck, user: AbstractBaseUser, form: EvaluationForm | None
) -> dict[str, Any]:
    """The open county exit case of the check's county and year, where it stands, and the
    form to take its evaluation step when it waits for it and the user may take it."""
    case = county_exit_case(check, user)
    if case is None:
        return {"case": None}
    steps = case_next_steps(case, user)
    may_take = any(step.slug == EVALUATION_STEP for step in steps)
    procedure = p.COUNTY_EXIT
    done = procedure.index(case.step) + 1 if case.step else 0
    upcoming = procedure.steps[done] if done < len(procedure.steps) else None
    return {
        "case": case,
        "case_step": procedure.step(case.step).label if case.step else "",
        "case_next": upcoming.label if upcoming else "",
        "case_waits": upcoming is not None and upcoming.slug == EVALUATION_STEP,
        "may_take": may_take,
        "evaluation_form": form or EvaluationForm(initial={"on": timezone.localdate()}),
    }


def _stem(check: ExitCheck) -> str:
    return f"exit_check_{check.pk}_{check.county_id}_{check.year}_survey"


@login_required
@require_GET
def check_survey_pdf(request: HttpRequest, check_id: int) -> HttpResponse:
    """The printed survey (入户调查表, PDF): a table per sampled village."""
    check = _sample_check(request, check_id)
    rows = survey_rows(check)
    if not rows:
        raise Http404("no sampled households to print")
    data = survey_pdf(survey_header(check), rows, printed_on=timezone.localdate())
    return _download(data, "application/pdf", f"{_stem(check)}.pdf")


@login_required
@require_GET
def check_survey_xlsx(request: HttpRequest, check_id: int) -> HttpResponse:
    """The survey workbook (入户调查表, XLSX) the evaluation team fills and uploads."""
    check = _sample_check(request, check_id)
    data = survey_workbook(survey_header(check), survey_rows(check))
    return _download(data, XLSX, f"{_stem(check)}.xlsx")


def _sample_check(request: HttpRequest, check_id: int) -> ExitCheck:
    """The check, for a user who may read its sample (the households drawn); the county and
    the posts below it get the same 404 as for a missing check."""
    check = access_get(ExitCheck.objects.select_related("county"), request.user, "view",
                       pk=check_id)  # fmt: skip
    if not roles_at(_user(request), check.county_id) & SAMPLE_READERS:
        raise Http404("no such check")
    return check


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
