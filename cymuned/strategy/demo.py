"""Demo strategic plan drawn from the Council's own paper (seed 000): its findings and next steps become priorities.

Version 1 was consulted on and approved by Council; version 2, a revision adding the hub across the borough, is out for
consultation. Actions carry RAG updates; two questionnaires: one open and public, for residents, about what *community*
means to them (with answers), and one closed, for headteachers and governors, on version 1.
"""

from __future__ import annotations

import datetime
import random
import secrets
from decimal import Decimal

from django.utils import timezone

from cymuned.accounts.models import User
from cymuned.organisations.models import LocalAuthority, Organisation

from .models import (
    ActionUpdate,
    Answer,
    Objective,
    PlanAction,
    PlanMeasure,
    PlanVersion,
    Priority,
    Question,
    Questionnaire,
    Response,
    StrategicPlan,
    VersionStatus,
)

#: (priority en, cy, [(objective en, cy, [(action en, cy, organisation, owner email, cell code or "")], [measure keys])])
PRIORITIES = [
    ("A multi-agency hub model across the county borough", "Model hyb amlasiantaethol ar draws y fwrdeistref sirol",
     [("Families reach health, housing and social care through their school", "Teuluoedd yn cyrraedd iechyd, tai a gofal cymdeithasol drwy eu hysgol",
       [("Extend the hub from Cyfarthfa to the Afon Taf cluster", "Ymestyn yr hyb o Gyfarthfa i glwstwr Afon Taf", "la", "hub", "multi_agency.leadership"),
        ("Agree a single referral route with Children's Services", "Cytuno ar un llwybr atgyfeirio gyda Gwasanaethau Plant", "Children's Services", "hub", "")],
       ["attendance_efsm_gap", "persistent_absence_efsm"])]),
    ("Memoranda of understanding with partners and social landlords", "Memoranda cyd-ddealltwriaeth gyda phartneriaid a landlordiaid cymdeithasol",
     [("Every cluster has agreed commitments with its social landlord", "Ymrwymiadau wedi'u cytuno rhwng pob clwstwr a'i landlord cymdeithasol",
       [("Sign a memorandum of understanding with Merthyr Valleys Homes", "Llofnodi memorandwm cyd-ddealltwriaeth gyda Chartrefi Cymoedd Merthyr",
         "Merthyr Valleys Homes", "partner", "community.relationships")],
       [])]),
    ("Community governors who learn from each other", "Llywodraethwyr cymunedol sy'n dysgu oddi wrth ei gilydd",
     [("A network of community governors meets each term", "Rhwydwaith o lywodraethwyr cymunedol yn cyfarfod bob tymor",
       [("Hold the first community governor network meeting", "Cynnal cyfarfod cyntaf y rhwydwaith llywodraethwyr cymunedol", "la", "officer", "")],
       ["self_evaluation_average"])]),
    ("Families engaged in their children's learning", "Teuluoedd yn ymwneud â dysgu eu plant",
     [("More families, especially eFSM families, take part in family learning", "Mwy o deuluoedd, yn enwedig teuluoedd PYDd, yn cymryd rhan mewn dysgu teuluol",
       [("Run family learning in every primary school of Cyfarthfa", "Cynnal dysgu teuluol ym mhob ysgol gynradd yng Nghyfarthfa", "Cyfarthfa High School", "csm",
         "family.learning"),
        ("Train Family Engagement Officers in trauma-informed practice", "Hyfforddi Swyddogion Ymgysylltu â Theuluoedd mewn ymarfer sy'n ystyriol o drawma",
         "la", "lead", "family.relationships")],
       ["programme_reach", "programme_efsm_share", "persistent_absence"])]),
    ("School premises opened to the community", "Adeiladau ysgol ar agor i'r gymuned",
     [("Community groups use school spaces in the evenings and holidays", "Grwpiau cymunedol yn defnyddio mannau ysgol gyda'r nos ac yn y gwyliau",
       [("Publish every school's spaces and prices for hire online", "Cyhoeddi mannau a phrisiau llogi pob ysgol ar-lein", "la", "officer", "community.vision"),
        ("Open the Afon Taf community room on Saturdays", "Agor ystafell gymunedol Afon Taf ar ddydd Sadwrn", "Afon Taf High School", "head.afontaf", "")],
       ["community_lettings_hours"])]),
]

#: Plausible baselines and targets per measure (baseline, target).
TARGETS = {
    "attendance_efsm_gap": ("6.5", "4.0"), "persistent_absence_efsm": ("32.0", "25.0"), "persistent_absence": ("21.0", "17.0"),
    "self_evaluation_average": ("2.10", "2.80"), "programme_reach": ("80", "200"), "programme_efsm_share": ("28.0", "40.0"),
    "community_lettings_hours": ("150", "600"),
}

NOTES = [
    ("green", "On track: first sessions held and partners attending."),
    ("amber", "Delayed by staff vacancies; a new start date is agreed."),
    ("red", "Stalled: waiting for the partner's board to agree."),
]

COMMUNITY_ANSWERS = [
    "Knowing my neighbours and the school gate chats.", "Y capel, y clwb rygbi a'r ysgol: dyna ein cymuned ni.",
    "Somewhere my kids are safe to play.", "People who help each other when times are hard, like the food bank.",
    "Pobl sy'n siarad Cymraeg ar y stryd.", "The valley, not just my street.", "Being able to use the school hall for our group.",
]


def _user(email_prefix: str) -> User | None:
    return User.objects.filter(email__startswith=f"{email_prefix}@").first()


def load_demo_strategy(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date | None = None) -> StrategicPlan:
    today = today or timezone.localdate()
    lead = _user("lead")
    plan = StrategicPlan.objects.create(
        local_authority=local_authority, created_by=lead,
        title_en="Community Focused Schools Strategic Plan 2025–2028", title_cy="Cynllun Strategol Ysgolion Bro 2025–2028",
        summary_en="How the Council, schools and partners will put the best interests of learners, families and the community at the heart "
                   "of every school, drawing on the research in Cyfarthfa and Afon Taf and the engagement with Cabinet, governors and headteachers.",
        summary_cy="Sut y bydd y Cyngor, ysgolion a phartneriaid yn rhoi lles dysgwyr, teuluoedd a'r gymuned wrth galon pob ysgol, gan "
                   "adeiladu ar yr ymchwil yng Nghyfarthfa ac Afon Taf a'r ymgysylltu â'r Cabinet, llywodraethwyr a phenaethiaid.",
    )
    approved_on = today - datetime.timedelta(days=150)
    v1 = PlanVersion.objects.create(plan=plan, number=1, status=VersionStatus.APPROVED, is_current=False, approved_on=approved_on,
                                    minute_reference="C/2025/114", created_by=lead,
                                    consultation_summary_en="214 people answered: parents most want family learning after school, "
                                                            "and residents asked for school halls to open at weekends.",
                                    consultation_summary_cy="Atebodd 214 o bobl: mae rhieni eisiau dysgu teuluol ar ôl ysgol yn fwy na "
                                                            "dim, a gofynnodd trigolion i neuaddau ysgol agor ar benwythnosau.")
    v2 = PlanVersion.objects.create(plan=plan, number=2, status=VersionStatus.CONSULTATION, is_current=True, created_by=lead)
    PlanVersion.objects.filter(pk=v1.pk).update(created_on=timezone.now() - datetime.timedelta(days=240))
    organisations = {o.name_en: o for o in Organisation.objects.filter(local_authority=local_authority)}
    organisations["la"] = local_authority
    from cymuned.evaluation.models import Cell

    cells = {c.code: c for c in Cell.objects.filter(framework__local_authority=local_authority, framework__is_current=True)
             .select_related("element", "enabler")}
    for version in (v1, v2):
        for p_index, (p_en, p_cy, objectives) in enumerate(PRIORITIES, start=1):
            if version is v1 and p_index == 1:
                continue  # the hub across the borough is what the revision adds
            priority = Priority.objects.create(version=version, position=p_index, title_en=p_en, title_cy=p_cy)
            for o_index, (o_en, o_cy, actions, keys) in enumerate(objectives, start=1):
                objective = Objective.objects.create(priority=priority, position=o_index, title_en=o_en, title_cy=o_cy)
                for key in keys:
                    baseline, target = TARGETS[key]
                    PlanMeasure.objects.create(objective=objective, measure_key=key, baseline_value=Decimal(baseline),
                                               baseline_on=approved_on - datetime.timedelta(days=30), target_value=Decimal(target),
                                               target_on=datetime.date(today.year + 2, 7, 31))
                for a_en, a_cy, org_name, owner, cell_code in actions:
                    starts = approved_on + datetime.timedelta(days=rng.randint(0, 60))
                    action = PlanAction.objects.create(
                        objective=objective, title_en=a_en, title_cy=a_cy, organisation=organisations.get(org_name, local_authority),
                        owner=_user(owner), starts_on=starts, due_on=starts + datetime.timedelta(days=rng.randint(120, 500)),
                        milestones_en="Plan agreed with partners\nFirst session held\nReview with the cluster",
                        milestones_cy="Cynllun wedi'i gytuno gyda phartneriaid\nSesiwn gyntaf wedi'i chynnal\nAdolygu gyda'r clwstwr",
                        created_by=lead,
                    )
                    if cell_code in cells:
                        action.cells.add(cells[cell_code])
                    rag = "amber"
                    for n in range(rng.randint(1, 3)):
                        rag, note = NOTES[rng.randrange(len(NOTES))]
                        ActionUpdate.objects.create(action=action, on=min(today, starts + datetime.timedelta(days=30 * (n + 1))), rag=rag,
                                                    note=note, by=action.owner)
                    PlanAction.objects.filter(pk=action.pk).update(rag=rag)
    _questionnaires(local_authority=local_authority, rng=rng, today=today, v1=v1, v2=v2, lead=lead)
    return plan


def _questionnaires(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date, v1: PlanVersion, v2: PlanVersion,
                    lead: User | None) -> None:
    open_q = Questionnaire.objects.create(
        local_authority=local_authority, plan_version=v2, created_by=lead, audiences=["residents", "parents"], is_public=True,
        title_en="What does community mean to you?", title_cy="Beth mae cymuned yn ei olygu i chi?",
        intro_en="Our research asked what the term community means. Tell us what it means where you live: it shapes the plan for "
                 "community focused schools.",
        intro_cy="Gofynnodd ein hymchwil beth mae'r term cymuned yn ei olygu. Dywedwch wrthym beth mae'n ei olygu lle rydych chi'n byw: "
                 "mae'n llunio'r cynllun ar gyfer ysgolion bro.",
        opens_on=today - datetime.timedelta(days=10), closes_on=today + datetime.timedelta(days=35),
    )
    q1 = Question.objects.create(questionnaire=open_q, position=1, kind="single", text_en="Where do you feel part of a community?",
                                 text_cy="Ble ydych chi'n teimlo'n rhan o gymuned?",
                                 options=[{"en": "My street", "cy": "Fy stryd"}, {"en": "My village or estate", "cy": "Fy mhentref neu ystâd"},
                                          {"en": "My town", "cy": "Fy nhref"}, {"en": "Nowhere really", "cy": "Unman mewn gwirionedd"}])
    q2 = Question.objects.create(questionnaire=open_q, position=2, kind="multiple", text_en="What would you use your local school for?",
                                 text_cy="Ar gyfer beth fyddech chi'n defnyddio eich ysgol leol?",
                                 options=[{"en": "Courses for adults", "cy": "Cyrsiau i oedolion"},
                                          {"en": "Sport and fitness", "cy": "Chwaraeon a ffitrwydd"},
                                          {"en": "Advice on money, housing or health", "cy": "Cyngor ar arian, tai neu iechyd"},
                                          {"en": "A space for our group", "cy": "Lle i'n grŵp ni"}])
    q3 = Question.objects.create(questionnaire=open_q, position=3, kind="scale",
                                 text_en="How welcome do you feel at your local school? (1 not at all, 5 very)",
                                 text_cy="Pa mor groesawgar ydych chi'n teimlo yn eich ysgol leol? (1 dim o gwbl, 5 iawn)")
    q4 = Question.objects.create(questionnaire=open_q, position=4, kind="text", required=False,
                                 text_en="In your own words, what does community mean to you?",
                                 text_cy="Yn eich geiriau eich hun, beth mae cymuned yn ei olygu i chi?")
    _answers(open_q, [q1, q2, q3, q4], count=23, rng=rng, today=today)
    closed_q = Questionnaire.objects.create(
        local_authority=local_authority, plan_version=v1, created_by=lead, audiences=["staff", "governors"], is_public=False,
        group_roles=["headteacher", "governor"], title_en="Draft strategic plan: headteachers and governors",
        title_cy="Cynllun strategol drafft: penaethiaid a llywodraethwyr", opens_on=today - datetime.timedelta(days=230),
        closes_on=today - datetime.timedelta(days=190),
    )
    c1 = Question.objects.create(questionnaire=closed_q, position=1, kind="scale", text_en="How far do you support the draft priorities?",
                                 text_cy="I ba raddau ydych chi'n cefnogi'r blaenoriaethau drafft?")
    c2 = Question.objects.create(questionnaire=closed_q, position=2, kind="text", required=False, text_en="What is missing?",
                                 text_cy="Beth sydd ar goll?")
    _answers(closed_q, [c1, c2], count=14, rng=rng, today=today - datetime.timedelta(days=200))


def _answers(questionnaire: Questionnaire, questions: list[Question], *, count: int, rng: random.Random, today: datetime.date) -> None:
    answers = []
    for n in range(count):
        submitted = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=rng.randint(0, 9)), datetime.time(9 + n % 10)))
        response = Response.objects.create(questionnaire=questionnaire, submitted_on=submitted, language=rng.choice(["en", "en", "cy"]),
                                           nonce=secrets.token_hex(16), visitor=secrets.token_hex(32))
        for question in questions:
            if question.kind == "single":
                answers.append(Answer(response=response, question=question, choice=rng.choices(range(4), weights=[2, 5, 3, 1])[0]))
            elif question.kind == "multiple":
                for choice in rng.sample(range(4), rng.randint(1, 3)):
                    answers.append(Answer(response=response, question=question, choice=choice))
            elif question.kind == "scale":
                answers.append(Answer(response=response, question=question, choice=rng.choices(range(1, 6), weights=[1, 2, 4, 5, 3])[0]))
            elif rng.random() < 0.6:
                answers.append(Answer(response=response, question=question, text=rng.choice(COMMUNITY_ANSWERS)))
    Answer.objects.bulk_create(answers)

