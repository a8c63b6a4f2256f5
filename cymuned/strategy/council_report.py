"""The bilingual report to Council: sections from a registry, written as PDF (reportlab) and Word (python-docx).

A section is one ``register_section(key, order, builder)`` call; ``builder(*, local_authority, as_of, language)`` runs with
that language active and returns a :class:`Section` of blocks (sub-headings, paragraphs, tables, bar charts). Every chart
is also given as a table. Funding and the hub add their own sections after they land, for example::

    register_section("funding", 35, funding_section)

Figures about learners follow :data:`~cymuned.strategy.measures.SMALLEST_GROUP`: counts under 5, and percentages of groups
under 5, are shown as ``*`` with a note, never as numbers.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import measures
from .measures import SMALLEST_GROUP, academic_year_start

SUPPRESSED = "*"


@dataclass
class Heading:
    text: str


@dataclass
class Table:
    header: list[str]
    rows: list[list[Any]]
    caption: str = ""


@dataclass
class Chart:
    """A bar chart; the builder always adds a :class:`Table` with the same figures."""

    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]


@dataclass
class Section:
    title: str
    blocks: list[Any] = field(default_factory=list)
    has_data: bool = True


Builder = Callable[..., Section]


@dataclass(frozen=True)
class RegisteredSection:
    key: str
    order: int
    builder: Builder


_sections: dict[str, RegisteredSection] = {}


def register_section(key: str, order: int, builder: Builder) -> None:
    _sections[key] = RegisteredSection(key=key, order=order, builder=builder)


def registered_sections() -> list[RegisteredSection]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def build_sections(*, local_authority: Any, as_of: datetime.date, language: str) -> list[Section]:
    with translation.override(language):
        return [s.builder(local_authority=local_authority, as_of=as_of, language=language) for s in registered_sections()]


def has_data(*, local_authority: Any, as_of: datetime.date) -> bool:
    return any(section.has_data for section in build_sections(local_authority=local_authority, as_of=as_of, language="en-gb"))


def suppress(count: int | None) -> Any:
    """A count of learners, or ``*`` when it is under 5."""
    if count is None:
        return ""
    return SUPPRESSED if 0 < count < SMALLEST_GROUP else count


def _pct(part: int, whole: int) -> Any:
    if whole < SMALLEST_GROUP:
        return SUPPRESSED if whole else ""
    return f"{Decimal(part) * 100 / Decimal(whole):.1f}"


def _date(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def _suppression_note() -> str:
    return _("* Figures about fewer than %(n)s learners are not shown, so that no one can be identified.") % {"n": SMALLEST_GROUP}


# --- Plan progress ---------------------------------------------------------------------------------------


def version_as_of(*, local_authority: Any, as_of: datetime.date) -> Any:
    """The version in force on the date (the latest approved by then), else the latest version that existed by then."""
    from .models import PlanVersion

    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    versions = PlanVersion.objects.with_related().filter(plan__local_authority_id=local_authority.pk, created_on__lt=end)
    return (versions.filter(approved_on__lte=as_of).order_by("-approved_on", "-number").first()
            or versions.order_by("-created_on", "-number").first())


def actions_as_of(*, version: Any, as_of: datetime.date) -> Any:
    """The version's actions with their RAG status as of the date (their latest update on or before it). One query."""
    from .models import ActionUpdate, PlanAction

    latest = ActionUpdate.objects.filter(action_id=OuterRef("pk"), on__lte=as_of).order_by("-on", "-pk").values("rag")[:1]
    return (PlanAction.objects.filter(objective__priority__version=version).select_related("organisation", "objective__priority")
            .annotate(rag_as_of=Coalesce(Subquery(latest), Value("")))
            .order_by("objective__priority__position", "objective__position", "due_on", "pk"))


def plan_section(*, local_authority: Any, as_of: datetime.date, language: str) -> Section:
    from .models import Rag, VersionStatus

    section = Section(title=_("Progress against the strategic plan"))
    version = version_as_of(local_authority=local_authority, as_of=as_of)
    if version is None:
        section.has_data = False
        section.blocks.append(_("There was no strategic plan on this date."))
        return section
    status = VersionStatus(version.status).label
    if version.approved_on and version.approved_on <= as_of:
        section.blocks.append(_("%(title)s, version %(number)s, approved by Council on %(date)s (minute %(minute)s).") % {
            "title": version.plan.title, "number": version.number, "date": _date(version.approved_on), "minute": version.minute_reference})
    else:
        section.blocks.append(_("%(title)s, version %(number)s: %(status)s.") % {"title": version.plan.title, "number": version.number,
                                                                                   "status": status})
    actions = list(actions_as_of(version=version, as_of=as_of))
    counts = {r.value: 0 for r in Rag}
    counts[""] = 0
    for action in actions:
        counts[action.rag_as_of] = counts.get(action.rag_as_of, 0) + 1
    labels = [str(Rag.RED.label), str(Rag.AMBER.label), str(Rag.GREEN.label), _("Not yet updated")]
    values = [counts["red"], counts["amber"], counts["green"], counts[""]]
    section.blocks.append(Heading(_("Actions by RAG status")))
    section.blocks.append(Chart(title=_("Actions by RAG status"), labels=labels, series=[(_("Actions"), [float(v) for v in values])]))
    section.blocks.append(Table(header=[_("RAG status"), _("Actions")], rows=[[label, value] for label, value in zip(labels, values, strict=True)]))
    rag_labels = dict(Rag.choices)
    section.blocks.append(Heading(_("Actions")))
    section.blocks.append(Table(
        header=[_("Priority"), _("Action"), _("Organisation"), _("Due"), _("RAG status")],
        rows=[[a.objective.priority.title, a.title, a.organisation.name, a.due_on.strftime("%d/%m/%Y"),
               str(rag_labels.get(a.rag_as_of, _("Not yet updated")))] for a in actions],
    ))
    from .models import PlanMeasure

    plan_measures = list(PlanMeasure.objects.filter(objective__priority__version=version).order_by("pk"))
    if plan_measures:
        values_now = measures.current_values([m.measure_key for m in plan_measures], local_authority=local_authority, as_of=as_of)
        section.blocks.append(Heading(_("Measures")))
        section.blocks.append(Table(
            header=[_("Measure"), _("Baseline"), _("Target"), _("Value on this date")],
            rows=[[str(measures.measure_label(m.measure_key)), f"{m.baseline_value} ({m.baseline_on:%d/%m/%Y})",
                   f"{m.target_value} ({m.target_on:%d/%m/%Y})",
                   SUPPRESSED if values_now.get(m.measure_key) is None else str(values_now[m.measure_key])] for m in plan_measures],
        ))
        section.blocks.append(_("* No figure: too few learners to publish, or no data yet."))
    return section


# --- The continuum heatmap (self-evaluation) -------------------------------------------------------------


def heatmap_section(*, local_authority: Any, as_of: datetime.date, language: str) -> Section:
    """Mean final stage per cluster and square of the grid, for the LA's submitted self-evaluations of the year. One query."""
    from cymuned.evaluation.models import EvaluationStatus, Framework, Rating, academic_year_for

    year = academic_year_for(as_of)
    section = Section(title=_("The continuum: self-evaluation by cluster (%(year)s)") % {"year": year})
    framework = (Framework.objects.filter(local_authority_id=local_authority.pk, is_current=True)
                 .prefetch_related("elements", "enablers", "stages").first())
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    rows = (
        Rating.objects.filter(evaluation__school__local_authority_id=local_authority.pk, evaluation__academic_year=year,
                              evaluation__created_on__lt=end)
        .exclude(evaluation__status=EvaluationStatus.DRAFT)
        .annotate(level=Coalesce(F("moderated_stage__level"), F("stage__level")))
        .values("evaluation__school__cluster__name_en", "evaluation__school__cluster__name_cy",
                "cell__element__code", "cell__enabler__code")
        .annotate(total=Sum("level"), n=Count("pk"))
        .order_by()
    ) if framework else []
    welsh = language.startswith("cy")
    grid: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in rows:
        name = (row["evaluation__school__cluster__name_cy"] if welsh else "") or row["evaluation__school__cluster__name_en"] or _("No cluster")
        grid[name][f"{row['cell__element__code']}.{row['cell__enabler__code']}"] = (row["total"], row["n"])
    if not grid:
        section.has_data = False
        section.blocks.append(_("No self-evaluations had been submitted for this year by this date."))
        return section
    elements, enablers = list(framework.elements.all()), list(framework.enablers.all())
    codes = [(e, n) for e in elements for n in enablers]
    stages = ", ".join(f"{s.level} {s.name}" for s in framework.stages.all())
    section.blocks.append(_("The mean stage each cluster's schools gave themselves (after moderation) for each square: %(stages)s.") % {"stages": stages})
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    table_rows = []
    for cluster in sorted(grid):
        cells = []
        for e, n in codes:
            total, count = grid[cluster].get(f"{e.code}.{n.code}", (0, 0))
            totals[f"{e.code}.{n.code}"][0] += total
            totals[f"{e.code}.{n.code}"][1] += count
            cells.append(f"{total / count:.1f}" if count else "")
        table_rows.append([cluster, *cells])
    la_row = [_("All schools"), *[f"{totals[f'{e.code}.{n.code}'][0] / totals[f'{e.code}.{n.code}'][1]:.1f}"
                                  if totals[f"{e.code}.{n.code}"][1] else "" for e, n in codes]]
    table_rows.append(la_row)
    header = [_("Cluster"), *[f"{e.name}: {n.name}" for e, n in codes]]
    element_means = []
    for e in elements:
        t = sum(totals[f"{e.code}.{n.code}"][0] for n in enablers)
        c = sum(totals[f"{e.code}.{n.code}"][1] for n in enablers)
        element_means.append(round(t / c, 2) if c else 0.0)
    section.blocks.append(Chart(title=_("Mean stage by element, all schools"), labels=[e.name for e in elements],
                                series=[(_("Mean stage"), element_means)]))
    section.blocks.append(Table(header=[_("Element"), _("Mean stage")], rows=[[e.name, m] for e, m in zip(elements, element_means, strict=True)]))
    section.blocks.append(Table(header=header, rows=table_rows, caption=_("Mean stage by cluster and square")))
    return section


# --- Outcomes and the eFSM gap ---------------------------------------------------------------------------


def outcomes_section(*, local_authority: Any, as_of: datetime.date, language: str) -> Section:
    """Year-to-date attendance of eFSM learners and others, by cluster and in all, with small groups suppressed. One query."""
    from cymuned.outcomes.models import attendance_thresholds

    section = Section(title=_("Attendance and the gap for learners eligible for free school meals"))
    persistent = attendance_thresholds().persistent
    rows = list(
        measures.latest_attendance(local_authority=local_authority, as_of=as_of)
        .values("school__cluster__name_en", "school__cluster__name_cy", "learner__efsm")
        .annotate(learners=Count("pk"), possible=Sum("possible_sessions"), attended=Sum("attended_sessions"),
                  persistent=Count("pk", filter=Q(percentage__lte=persistent)))
        .order_by()
    )
    if not rows:
        section.has_data = False
        section.blocks.append(_("There were no attendance figures for this academic year by this date."))
        return section
    welsh = language.startswith("cy")
    groups: dict[str, dict[bool, dict[str, int]]] = defaultdict(dict)
    everyone: dict[bool, dict[str, int]] = {True: defaultdict(int), False: defaultdict(int)}  # type: ignore[dict-item]
    for row in rows:
        name = (row["school__cluster__name_cy"] if welsh else "") or row["school__cluster__name_en"] or _("No cluster")
        groups[name][row["learner__efsm"]] = row
        for k in ("learners", "possible", "attended", "persistent"):
            everyone[row["learner__efsm"]][k] += row[k] or 0

    def rate(g: dict[str, int] | None) -> Any:
        if not g or not g.get("learners"):
            return ""
        if g["learners"] < SMALLEST_GROUP:
            return SUPPRESSED
        return f"{Decimal(g['attended']) * 100 / Decimal(g['possible']):.1f}"

    def gap(a: dict[str, int] | None, b: dict[str, int] | None) -> Any:
        if not a or not b or min(a.get("learners", 0), b.get("learners", 0)) < SMALLEST_GROUP:
            return SUPPRESSED
        return f"{Decimal(b['attended']) * 100 / Decimal(b['possible']) - Decimal(a['attended']) * 100 / Decimal(a['possible']):.1f}"

    header = [_("Cluster"), _("eFSM learners"), _("eFSM attendance %"), _("Other learners"), _("Others' attendance %"),
              _("Gap (percentage points)"), _("eFSM persistently absent %")]
    table_rows = []
    for name in sorted(groups):
        efsm, other = groups[name].get(True), groups[name].get(False)
        table_rows.append([name, suppress((efsm or {}).get("learners", 0)), rate(efsm), suppress((other or {}).get("learners", 0)),
                           rate(other), gap(efsm, other), _pct((efsm or {}).get("persistent", 0), (efsm or {}).get("learners", 0))])
    e, o = dict(everyone[True]), dict(everyone[False])
    table_rows.append([_("All schools"), suppress(e.get("learners", 0)), rate(e), suppress(o.get("learners", 0)), rate(o), gap(e, o),
                       _pct(e.get("persistent", 0), e.get("learners", 0))])
    section.blocks.append(_("Attendance from 1 September to %(date)s, each learner's latest figures.") % {"date": _date(as_of)})
    chart_labels, chart_efsm, chart_other = [], [], []
    for name in sorted(groups):
        efsm, other = groups[name].get(True), groups[name].get(False)
        a, b = rate(efsm), rate(other)
        if a not in ("", SUPPRESSED) and b not in ("", SUPPRESSED):
            chart_labels.append(name)
            chart_efsm.append(float(a))
            chart_other.append(float(b))
    if chart_labels:
        section.blocks.append(Chart(title=_("Attendance % by cluster"), labels=chart_labels,
                                    series=[(_("eFSM learners"), chart_efsm), (_("Other learners"), chart_other)]))
    section.blocks.append(Table(header=header, rows=table_rows, caption=_("Attendance by cluster")))
    section.blocks.append(_suppression_note())
    return section


# --- Lettings (premises) ---------------------------------------------------------------------------------


def lettings_section(*, local_authority: Any, as_of: datetime.date, language: str) -> Section:
    from django.db.models import DurationField, ExpressionWrapper

    from cymuned.premises.models import Booking, SeriesStatus, Tier

    section = Section(title=_("School spaces used by the community"))
    lo = datetime.datetime.combine(academic_year_start(as_of), datetime.time.min, tzinfo=datetime.UTC)
    hi = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    rows = list(
        Booking.objects.filter(space__school__local_authority_id=local_authority.pk, status=SeriesStatus.APPROVED, starts_at__gte=lo,
                               starts_at__lt=hi)
        .values("space__school__name_en", "space__school__name_cy")
        .annotate(community=Sum(duration, filter=~Q(series__tier=Tier.CFS)), cfs=Sum(duration, filter=Q(series__tier=Tier.CFS)),
                  bookings=Count("pk"), people=Coalesce(Sum(Coalesce("people_attended", "series__expected_people")), 0))
        .order_by("space__school__name_en")
    )
    if not rows:
        section.has_data = False
        section.blocks.append(_("No lettings had taken place this academic year by this date."))
        return section
    welsh = language.startswith("cy")

    def hours(value: datetime.timedelta | None) -> float:
        return round(value.total_seconds() / 3600, 1) if value else 0.0

    names = [(r["space__school__name_cy"] if welsh else "") or r["space__school__name_en"] for r in rows]
    section.blocks.append(_("Approved bookings from 1 September to %(date)s.") % {"date": _date(as_of)})
    section.blocks.append(Chart(title=_("Hours of use by school"), labels=names,
                                series=[(_("Community hours"), [hours(r["community"]) for r in rows]),
                                        (_("School programme hours"), [hours(r["cfs"]) for r in rows])]))
    table_rows = [[n, hours(r["community"]), hours(r["cfs"]), r["bookings"], r["people"]] for n, r in zip(names, rows, strict=True)]
    table_rows.append([_("All schools"), round(sum(r[1] for r in table_rows), 1), round(sum(r[2] for r in table_rows), 1),
                       sum(r[3] for r in table_rows), sum(r[4] for r in table_rows)])
    section.blocks.append(Table(header=[_("School"), _("Community hours"), _("School programme hours"), _("Bookings"), _("People")],
                                rows=table_rows))
    return section


# --- Programmes ------------------------------------------------------------------------------------------


def programmes_section(*, local_authority: Any, as_of: datetime.date, language: str) -> Section:
    from cymuned.programmes.models import Enrolment, EnrolmentStatus, ProgrammeKind

    section = Section(title=_("Programmes for families and the community"))
    start = academic_year_start(as_of)
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    rows = list(
        Enrolment.objects.filter(programme__local_authority_id=local_authority.pk, created_on__lt=end,
                                 status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED))
        .filter(Q(programme__ends_on__isnull=True) | Q(programme__ends_on__gte=start))
        .values("programme__kind")
        .annotate(places=Coalesce(Sum("places"), 0), programmes=Count("programme", distinct=True),
                  learners=Count("pk", filter=Q(learner__isnull=False)), efsm=Count("pk", filter=Q(learner__efsm=True)),
                  completed=Count("pk", filter=Q(status=EnrolmentStatus.COMPLETED)))
        .order_by("programme__kind")
    )
    if not rows:
        section.has_data = False
        section.blocks.append(_("No one had taken a place on a programme this academic year by this date."))
        return section
    kinds = dict(ProgrammeKind.choices)
    labels = [str(kinds.get(r["programme__kind"], r["programme__kind"])) for r in rows]
    section.blocks.append(Chart(title=_("Places taken by kind of programme"), labels=labels,
                                series=[(_("Places"), [float(r["places"]) for r in rows])]))
    table_rows = [[label, r["programmes"], r["places"], r["completed"], suppress(r["learners"]), _pct(r["efsm"], r["learners"])]
                  for label, r in zip(labels, rows, strict=True)]
    section.blocks.append(Table(header=[_("Kind of programme"), _("Programmes"), _("Places taken"), _("Completed"), _("Learners"),
                                        _("Learners eligible for free school meals %")], rows=table_rows))
    section.blocks.append(_suppression_note())
    return section


# --- Consultations ---------------------------------------------------------------------------------------


def consultations_section(*, local_authority: Any, as_of: datetime.date, language: str) -> Section:
    from .models import Answer, PlanVersion, Question, QuestionKind, Questionnaire

    section = Section(title=_("What people told us: consultations"))
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    questionnaires = list(
        Questionnaire.objects.filter(local_authority_id=local_authority.pk, opens_on__lte=as_of)
        .annotate(answered=Count("responses", filter=Q(responses__submitted_on__lt=end)))
        .order_by("-opens_on", "pk")
    )
    if not questionnaires or not any(q.answered for q in questionnaires):
        section.has_data = False
        section.blocks.append(_("No one had answered a consultation by this date."))
        return section
    welsh = language.startswith("cy")

    def title(obj: Any, field: str) -> str:
        return (getattr(obj, f"{field}_cy") if welsh else "") or getattr(obj, f"{field}_en")

    section.blocks.append(Table(
        header=[_("Consultation"), _("Open"), _("Responses")],
        rows=[[title(q, "title"), f"{q.opens_on:%d/%m/%Y} – {q.closes_on:%d/%m/%Y}", q.answered] for q in questionnaires],
    ))
    counts: dict[tuple[int, int], int] = {
        (r["question_id"], r["choice"]): r["n"]
        for r in Answer.objects.filter(question__questionnaire__in=[q.pk for q in questionnaires], choice__isnull=False,
                                       response__submitted_on__lt=end)
        .values("question_id", "choice").annotate(n=Count("pk")).order_by()
    }
    questions = Question.objects.filter(questionnaire__in=[q.pk for q in questionnaires if q.answered]).exclude(kind=QuestionKind.TEXT)
    by_questionnaire: dict[int, list[Any]] = defaultdict(list)
    for question in questions.order_by("questionnaire_id", "position", "pk"):
        by_questionnaire[question.questionnaire_id].append(question)
    for questionnaire in questionnaires:
        if not questionnaire.answered:
            continue
        section.blocks.append(Heading(title(questionnaire, "title")))
        for question in by_questionnaire.get(questionnaire.pk, []):
            options = question.option_labels("cy" if welsh else "en")
            points = range(1, 6) if question.kind == QuestionKind.SCALE else range(len(options))
            values = [counts.get((question.pk, p), 0) for p in points]
            labels = [str(p) for p in points] if question.kind == QuestionKind.SCALE else options
            section.blocks.append(Table(header=[title(question, "text"), _("Answers")],
                                        rows=[[label, v] for label, v in zip(labels, values, strict=True)]))
    versions = PlanVersion.objects.filter(plan__local_authority_id=local_authority.pk, created_on__lt=end).exclude(
        consultation_summary_en="").order_by("-number")[:1]
    for version in versions:
        section.blocks.append(Heading(_("Consultation summary")))
        section.blocks.append(title(version, "consultation_summary"))
    return section


# --- Funding ---------------------------------------------------------------------------------------------


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.0f}"


def funding_section(*, local_authority: Any, as_of: datetime.date, language: str) -> Section:
    """Grants running on the date, what was allocated to schools and clusters and spent by then, and claims due."""
    from cymuned.funding.selectors import funding_summary

    section = Section(title=_("Funding and spend"))
    summary = funding_summary(local_authority=local_authority, as_of=as_of)
    if not summary["awards"]:
        section.has_data = False
        section.blocks.append(_("No grant was running on this date."))
        return section
    totals = summary["totals"]
    section.blocks.append(
        _("On %(date)s, %(awarded)s was awarded for the period, %(allocated)s allocated to schools and clusters and "
          "%(spent)s spent.") % {"date": _date(as_of), "awarded": _pounds(totals["awarded"]),
                                  "allocated": _pounds(totals["allocated"]), "spent": _pounds(totals["spent"])}
    )
    streams = summary["streams"]
    section.blocks.append(Chart(title=_("Awarded and spent by funding stream (£)"), labels=[s["name"] for s in streams],
                                series=[(_("Awarded"), [float(s["awarded"]) for s in streams]),
                                        (_("Spent"), [float(s["spent"]) for s in streams])]))
    section.blocks.append(Table(
        header=[_("Funding stream"), _("Funder"), _("Awarded"), _("Allocated"), _("Spent")],
        rows=[[s["name"], s["funder"], _pounds(s["awarded"]), _pounds(s["allocated"]), _pounds(s["spent"])] for s in streams]
        + [[_("All streams"), "", _pounds(totals["awarded"]), _pounds(totals["allocated"]), _pounds(totals["spent"])]],
    ))
    if summary["allocations"]:
        section.blocks.append(Heading(_("Allocations to schools and clusters")))
        section.blocks.append(Table(
            header=[_("Funding stream"), _("School or cluster"), _("Allocated"), _("Spent"), _("Spent (%)")],
            rows=[[a["stream"], a["recipient"], _pounds(a["amount"]), _pounds(a["spent"]),
                   "" if a["spent_percent"] is None else f"{a['spent_percent']:.1f}"] for a in summary["allocations"]],
        ))
    claims = summary["claims_overdue"] + summary["claims_due"]
    if claims:
        section.blocks.append(Heading(_("Claims and returns outstanding")))
        section.blocks.append(Table(
            header=[_("Funding stream"), _("Due"), _("Period"), _("Status")],
            rows=[[c["stream"], _date(c["due_on"]), f"{_date(c['period_start'])} – {_date(c['period_end'])}",
                   _("Overdue") if c["due_on"] < as_of else _("Due soon")] for c in claims],
        ))
    return section


register_section("plan", 10, plan_section)
register_section("heatmap", 20, heatmap_section)
register_section("outcomes", 30, outcomes_section)
register_section("funding", 35, funding_section)
register_section("lettings", 40, lettings_section)
register_section("programmes", 50, programmes_section)
register_section("consultations", 60, consultations_section)


# --- Writing the files -----------------------------------------------------------------------------------

LANGUAGES = (("cy", "Cymraeg"), ("en-gb", "English"))


def report_title(local_authority: Any, as_of: datetime.date, language: str) -> str:
    with translation.override(language):
        name = local_authority.name_cy if language.startswith("cy") and local_authority.name_cy else local_authority.name_en
        return _("Community focused schools: report to Council, %(date)s, %(council)s") % {"date": _date(as_of), "council": name}


def _bar_chart(chart: Chart) -> Any:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    from cymuned.core.pdf import fonts

    regular, _bold = fonts()
    palette = ["#1d70b8", "#f47738", "#00703c", "#6f72af"]
    rows = max(1, len(chart.labels))
    height = 30 + rows * 14 * max(1, len(chart.series)) + 20
    drawing = Drawing(480, height)
    bars = HorizontalBarChart()
    bars.x, bars.y, bars.width, bars.height = 150, 20, 300, height - 40
    bars.data = [values for _label, values in chart.series]
    bars.categoryAxis.categoryNames = [label[:30] for label in chart.labels]
    bars.categoryAxis.labels.fontName = regular
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.labels.fontName = regular
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    for i in range(len(chart.series)):
        bars.bars[i].fillColor = colors.HexColor(palette[i % len(palette)])
    drawing.add(bars)
    if len(chart.series) > 1:
        legend = Legend()
        legend.fontName, legend.fontSize, legend.x, legend.y = regular, 7, 150, height - 5
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.colorNamePairs = [(colors.HexColor(palette[i % len(palette)]), label) for i, (label, _v) in enumerate(chart.series)]
        drawing.add(legend)
    return drawing


def _pdf_table(table: Table, styles: dict[str, Any], width: float) -> Any:
    from reportlab.platypus import Paragraph
    from reportlab.platypus import Table as PdfTable

    from cymuned.core.pdf import table_style, text

    data = [[Paragraph(text(h), styles["label"]) for h in table.header]]
    data += [[Paragraph(text(cell), styles["body"]) for cell in row] for row in table.rows]
    columns = max(1, len(table.header))
    first = min(width * 0.3, 160) if columns > 2 else width / columns
    rest = (width - first) / max(1, columns - 1) if columns > 1 else width
    return PdfTable(data, colWidths=[first] + [rest] * (columns - 1), repeatRows=1, style=table_style())


def write_pdf(*, local_authority: Any, as_of: datetime.date, parts: dict[str, list[Section]]) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    from cymuned.core.pdf import build, styles, text

    style = styles()
    width = landscape(A4)[0] - 30 * mm
    story: list[Any] = []
    for index, (language, _name) in enumerate(LANGUAGES):
        if index:
            story.append(PageBreak())
        story.append(Paragraph(text(report_title(local_authority, as_of, language)), style["h1"]))
        for section in parts[language]:
            story.append(Paragraph(text(section.title), style["h2"]))
            for block in section.blocks:
                if isinstance(block, Heading):
                    story.append(Paragraph(text(block.text), style["h3"]))
                elif isinstance(block, Chart):
                    story.append(_bar_chart(block))
                elif isinstance(block, Table):
                    if block.caption:
                        story.append(Paragraph(text(block.caption), style["label"]))
                    story.append(_pdf_table(block, style, width))
                    story.append(Spacer(1, 4 * mm))
                else:
                    story.append(Paragraph(text(block), style["text"]))
    title = f"{report_title(local_authority, as_of, 'cy')} / {report_title(local_authority, as_of, 'en-gb')}"
    return build(story, title=title, landscape=True, lang="cy")


def write_docx(*, local_authority: Any, as_of: datetime.date, parts: dict[str, list[Section]]) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_BREAK

    document = Document()
    page = document.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = page.page_height, page.page_width
    document.core_properties.title = f"{report_title(local_authority, as_of, 'cy')} / {report_title(local_authority, as_of, 'en-gb')}"
    document.core_properties.author = "Cymuned"
    for index, (language, _name) in enumerate(LANGUAGES):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading(report_title(local_authority, as_of, language), level=1)
        for section in parts[language]:
            document.add_heading(section.title, level=2)
            for block in section.blocks:
                if isinstance(block, Heading):
                    document.add_heading(block.text, level=3)
                elif isinstance(block, Chart):
                    continue  # every chart's figures are in the table that follows it
                elif isinstance(block, Table):
                    if block.caption:
                        document.add_paragraph(block.caption, style="Caption")
                    table = document.add_table(rows=1, cols=len(block.header))
                    table.style = "Table Grid"
                    for cell, value in zip(table.rows[0].cells, block.header, strict=True):
                        cell.text = str(value)
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
                    for row in block.rows:
                        cells = table.add_row().cells
                        for cell, value in zip(cells, row, strict=False):
                            cell.text = "" if value is None else str(value)
                    document.add_paragraph()
                else:
                    document.add_paragraph(str(block))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build_files(*, local_authority: Any, as_of: datetime.date, progress: Callable[[int, str], None] | None = None) -> tuple[bytes, bytes]:
    """Both languages' sections, then the PDF and the Word file. ``progress(percent, stage)`` is told as it goes."""
    sections = registered_sections()
    steps = len(sections) * len(LANGUAGES) + 2
    done = 0
    parts: dict[str, list[Section]] = {}
    for language, _name in LANGUAGES:
        with translation.override(language):
            built = []
            for registered in sections:
                built.append(registered.builder(local_authority=local_authority, as_of=as_of, language=language))
                done += 1
                if progress:
                    progress(int(done * 100 / steps), built[-1].title)
            parts[language] = built
    if not any(section.has_data for section in parts["en-gb"]):
        raise ValueError("no data")
    pdf = write_pdf(local_authority=local_authority, as_of=as_of, parts=parts)
    done += 1
    if progress:
        progress(int(done * 100 / steps), "PDF")
    docx = write_docx(local_authority=local_authority, as_of=as_of, parts=parts)
    return pdf, docx
