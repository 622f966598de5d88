"""The evaluation pages (考核评价): the scorecards of a region and year by score, a cadre's
or a unit's scorecard with its figures, scores and recommendations, the forms to score and
to recommend, and a recommendation with its appeal and the decision on it.

Every page reads through `core.access` and `evaluation.queries` (out of scope and missing
answer the same 404); every write goes through `evaluation.services`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.core.audit import Actor
from fupin.monitoring.evaluation import queries
from fupin.monitoring.evaluation.choices import (
    AppealOutcome,
    Grade,
    NoticeMethod,
    RecommendationKind,
    UnitLevel,
)
from fupin.monitoring.evaluation.posts import (
    Post,
    holds,
    office_above,
    post_below,
    subject_post,
    superior_of,
)
from fupin.monitoring.evaluation.services import (
    EvaluationError,
    appeal_decide,
    appeal_lodge,
    evaluation_enter,
    recommendation_record,
)
from fupin.monitoring.models import Recommendation
from fupin.pairing.models import Cadre
from fupin.regions.models import Region

SHOWN = 200
LEVEL_LABELS = {queries.CADRES: _("帮扶责任人"), **dict(UnitLevel.choices)}
# The scorecard's figures as the pages show them, in this order; shares as percentages.
FIGURE_LABELS = {
    "score": _("综合得分"),
    "households": _("在册户数（含过渡期内脱贫户）"),
    "paired": _("有帮扶责任人的户数"),
    "on_time": _("按期走访户数"),
    "on_time_share": _("按期走访率"),
    "exited": _("当年脱贫户数"),
    "stayed_out": _("脱贫后未返贫户数"),
    "stayed_out_share": _("脱贫稳定率"),
    "returned": _("当年返贫户数"),
    "return_free_share": _("未返贫率"),
    "pairing_gaps": _("未结对户数"),
    "paired_share": _("结对覆盖率"),
    "coverage_gaps": _("帮扶措施缺口户数"),
    "covered_share": _("措施覆盖率"),
    "objections": _("联系卡异议件数"),
    "objections_upheld": _("异议属实件数"),
    "ratings": _("农户评价次数"),
    "rating_mean": _("农户评价平均分"),
    "rating_share": _("农户满意度"),
    "superior_count": _("上级评分次数"),
    "superior_score": _("上级评分"),
    "subordinate_count": _("下级评分次数"),
    "subordinate_score": _("下级评分"),
}
PERCENT = frozenset(name for name in FIGURE_LABELS if name.endswith("_share"))


def figure_rows(card: dict[str, Any]) -> list[tuple[Any, str]]:
    """The scorecard's figures as (label, shown value); a missing one as a dash."""
    rows = []
    for name, label in FIGURE_LABELS.items():
        value = card.get(name)
        if value is None:
            shown = "—"
        elif name in PERCENT:
            shown = f"{100 * value:.1f}%"
        elif isinstance(value, float):
            shown = f"{value:.1f}"
        else:
            shown = str(value)
        rows.append((label, shown))
    return rows


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    text = request.GET.get("year", "")
    valid = text.isdigit() and queries.FIRST_YEAR <= int(text) <= this_year
    return int(text) if valid else this_year


def _region(request: HttpRequest) -> str:
    region = request.GET.get("region", "")
    return region if region.isdigit() and len(region) <= 12 else ""


@dataclass(frozen=True)
class Subject:
    """A cadre or a unit, as the pages name it."""

    cadre: Cadre | None
    unit: Region | None

    @property
    def region_code(self) -> str:
        return self.cadre.region_code if self.cadre else self.unit.code  # type: ignore[union-attr]

    @property
    def name(self) -> str:
        return self.cadre.name if self.cadre else self.unit.name  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        if self.cadre is not None:
            return reverse("evaluation:cadre", args=[self.cadre.pk])
        return reverse("evaluation:unit", args=[self.region_code])

    def keywords(self) -> dict[str, Any]:
        """The subject as the services take it."""
        if self.cadre is not None:
            return {"cadre": self.cadre}
        return {"region_code": self.region_code}


def _subject(request: HttpRequest, cadre_id: int | None, code: str | None) -> Subject:
    if cadre_id is not None:
        return Subject(queries.access_cadre(request.user, cadre_id), None)
    return Subject(None, queries.access_unit(request.user, code or ""))


@login_required
@require_GET
def scorecards(request: HttpRequest) -> HttpResponse:
    """The scorecards of a region and year, best score first."""
    year, region = _year(request), _region(request)
    level = request.GET.get("level", queries.CADRES)
    if level not in queries.LEVELS:
        level = queries.CADRES
    rows = queries.scorecards(user=request.user, prefix=region, year=year, level=level)
    return render(request, "monitoring/evaluation/scorecards.html", {
        "section": "evaluation", "year": year, "region": region, "level": level,
        "levels": list(LEVEL_LABELS.items()), "rows": rows[:SHOWN], "total": len(rows),
        "shown": SHOWN,
    })  # fmt: skip


def _subject_page(request: HttpRequest, subject: Subject) -> HttpResponse:
    year = _year(request)
    user = request.user
    card = None
    if subject.cadre is not None:
        card = queries.cadre_scorecard(user=user, cadre=subject.cadre, year=year)
    elif queries.reads_unit(user, subject.region_code):
        card = queries.unit_scorecard(user=user, unit=subject.unit, year=year)  # type: ignore[arg-type]
    superior = superior_of(cadre=subject.cadre, region_code=subject.region_code)
    return render(request, "monitoring/evaluation/subject.html", {
        "section": "evaluation", "year": year, "subject": subject, "card": card,
        "figures": figure_rows(card) if card else [],
        "evaluations": queries.subject_evaluations(user=user, cadre=subject.cadre,
                                                   region_code=subject.region_code, year=year),
        "recommendations": queries.subject_recommendations(
            user=user, cadre=subject.cadre, region_code=subject.region_code),
        "may_score": _may_score(request, subject, superior),
        "may_recommend": holds(_holder(request), superior),
    })  # fmt: skip


def _holder(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def _may_score(request: HttpRequest, subject: Subject, superior: Post) -> bool:
    holder = _holder(request)
    if holds(holder, superior):
        return True
    return subject.cadre is None and post_below(holder, subject.region_code) is not None


@login_required
@require_GET
def cadre(request: HttpRequest, cadre_id: int) -> HttpResponse:
    """A cadre's scorecard for a year, with the scores and recommendations."""
    return _subject_page(request, _subject(request, cadre_id, None))


@login_required
@require_GET
def unit(request: HttpRequest, code: str) -> HttpResponse:
    """A village's, township's or county's scorecard for a year."""
    return _subject_page(request, _subject(request, None, code))


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"},
                                                               format="%Y-%m-%d"))  # fmt: skip


class ScoreForm(_Form):
    """A score out of 100, or a grade, for a year."""

    year = forms.IntegerField(label=_("年度"), min_value=queries.FIRST_YEAR)
    score = forms.IntegerField(label=_("评分（0-100）"), min_value=0, max_value=100, required=False)
    grade = forms.ChoiceField(label=_("或评定等次"), choices=[("", "—"), *Grade.choices],
                              required=False)  # fmt: skip
    comments = forms.CharField(label=_("评语"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class RecommendForm(_Form):
    """What the evaluation leads to, its written reasons and the notice."""

    year = forms.IntegerField(label=_("考核年度"), min_value=queries.FIRST_YEAR)
    kind = forms.ChoiceField(label=_("处理建议"), choices=RecommendationKind.choices)
    reasons = forms.CharField(label=_("书面理由"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    notice_method = forms.ChoiceField(label=_("告知方式"), choices=NoticeMethod.choices)
    notified_on = _date_field(_("告知日期"))


class AppealForm(_Form):
    """The subject's appeal."""

    grounds = forms.CharField(label=_("申诉理由"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    lodged_on = _date_field(_("申诉日期"))


class DecisionForm(_Form):
    """The decision of the office above on an appeal."""

    outcome = forms.ChoiceField(label=_("决定"), choices=AppealOutcome.choices)
    reasons = forms.CharField(label=_("决定理由"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    decided_on = _date_field(_("决定日期"))


def _form_page(
    request: HttpRequest, form: forms.Form, *, title: Any, back: str, back_label: str,
    error: str = "",
) -> HttpResponse:  # fmt: skip
    status = 400 if request.method == "POST" else 200
    return render(request, "monitoring/evaluation/form.html", {
        "section": "evaluation", "form": form, "title": title, "back": back,
        "back_label": back_label, "error": error,
    }, status=status)  # fmt: skip


def _score(request: HttpRequest, subject: Subject) -> HttpResponse:
    form = ScoreForm(request.POST or None, initial={"year": timezone.localdate().year})
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation_enter(year=data["year"], actor=Actor.of(request.user), score=data["score"],
                             grade=data["grade"], comments=data["comments"],
                             **subject.keywords())  # fmt: skip
        except EvaluationError as exc:
            error = str(exc)
        else:
            messages.success(request, _("评分已登记。"))
            return redirect(f"{subject.url}?year={data['year']}")
    return _form_page(request, form, title=_("考核评分"), back=subject.url,
                      back_label=subject.name, error=error)  # fmt: skip


def _recommend(request: HttpRequest, subject: Subject) -> HttpResponse:
    today = timezone.localdate()
    form = RecommendForm(request.POST or None, initial={"year": today.year, "notified_on": today})
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = recommendation_record(
                year=data["year"], kind=data["kind"], reasons=data["reasons"],
                notice_method=data["notice_method"], on=data["notified_on"],
                actor=Actor.of(request.user), **subject.keywords(),
            )  # fmt: skip
        except EvaluationError as exc:
            error = str(exc)
        else:
            messages.success(request, _("处理建议已登记并告知。"))
            return redirect("evaluation:recommendation", recommendation_id=made.pk)
    return _form_page(request, form, title=_("考核结果运用"), back=subject.url,
                      back_label=subject.name, error=error)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def cadre_score(request: HttpRequest, cadre_id: int) -> HttpResponse:
    """Score a cadre for a year (the office above them)."""
    return _score(request, _subject(request, cadre_id, None))


@login_required
@require_http_methods(["GET", "POST"])
def unit_score(request: HttpRequest, code: str) -> HttpResponse:
    """Score a unit for a year (the office above it, or a post below it)."""
    return _score(request, _subject(request, None, code))


@login_required
@require_http_methods(["GET", "POST"])
def cadre_recommend(request: HttpRequest, cadre_id: int) -> HttpResponse:
    """Record what a cadre's evaluation leads to."""
    return _recommend(request, _subject(request, cadre_id, None))


@login_required
@require_http_methods(["GET", "POST"])
def unit_recommend(request: HttpRequest, code: str) -> HttpResponse:
    """Record what a unit's evaluation leads to."""
    return _recommend(request, _subject(request, None, code))


def _recommendation_page(
    request: HttpRequest, recommendation: Recommendation, *, appeal_form: AppealForm | None = None,
    decision_form: DecisionForm | None = None, error: str = "",
) -> HttpResponse:  # fmt: skip
    today = timezone.localdate()
    holder = _holder(request)
    appeal = queries.recommendation_appeal(recommendation)
    deciding = office_above(Post(recommendation.recorder_role, recommendation.recorder_region))
    may_appeal = recommendation.status == "notified" and subject_post(
        holder, cadre=recommendation.cadre, region_code=recommendation.region_code
    )
    may_decide = bool(appeal and not appeal.decided_on and deciding and holds(holder, deciding))
    status = 400 if request.method == "POST" else 200
    return render(request, "monitoring/evaluation/recommendation.html", {
        "section": "evaluation", "recommendation": recommendation, "appeal": appeal,
        "figures": figure_rows(recommendation.figures),
        "appeal_form": (appeal_form or AppealForm(initial={"lodged_on": today}))
        if may_appeal else None,
        "decision_form": (decision_form or DecisionForm(initial={"decided_on": today}))
        if may_decide else None,
        "error": error,
    }, status=status)  # fmt: skip


@login_required
@require_GET
def recommendation(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """A recommendation: its reasons, the figures it rests on, its appeal and decision."""
    row = queries.access_recommendation(request.user, recommendation_id)
    return _recommendation_page(request, row)


@login_required
@require_http_methods(["POST"])
def recommendation_appeal(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """The subject's appeal."""
    row = queries.access_recommendation(request.user, recommendation_id)
    form = AppealForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            data = form.cleaned_data
            appeal_lodge(recommendation=row, grounds=data["grounds"], on=data["lodged_on"],
                         actor=Actor.of(request.user))  # fmt: skip
        except EvaluationError as exc:
            error = str(exc)
        else:
            messages.success(request, _("申诉已提交。"))
            return redirect("evaluation:recommendation", recommendation_id=row.pk)
    return _recommendation_page(request, row, appeal_form=form, error=error)


@login_required
@require_http_methods(["POST"])
def recommendation_decide(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """The decision of the office above on the appeal."""
    row = queries.access_recommendation(request.user, recommendation_id)
    appeal = queries.recommendation_appeal(row)
    form = DecisionForm(request.POST)
    error = ""
    if appeal is None:
        error = str(_("尚未申诉。"))
    elif form.is_valid():
        data = form.cleaned_data
        try:
            appeal_decide(appeal=appeal, outcome=data["outcome"], reasons=data["reasons"],
                          on=data["decided_on"], actor=Actor.of(request.user))  # fmt: skip
        except EvaluationError as exc:
            error = str(exc)
        else:
            messages.success(request, _("申诉决定已登记。"))
            return redirect("evaluation:recommendation", recommendation_id=row.pk)
    return _recommendation_page(request, row, decision_form=form, error=error)
