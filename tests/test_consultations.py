"""Consultations: answering without an account, protection against duplicates and robots, results and exports."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from cymuned.audit.models import ExportRecord
from cymuned.strategy import guard, services
from cymuned.strategy.models import Answer, Question, Questionnaire, Response

from .strategy_world import build_plan

TODAY = timezone.localdate()


@pytest.fixture
def sp(world):
    cache.clear()
    return build_plan(world)


def _visit(client: Client, questionnaire: Questionnaire, lang: str = "en-gb") -> str:
    """Open the form (which sets the first-visit cookie) and return a token issued long enough ago to pass the time check."""
    response = client.get(f"/{lang}/strategy/have-your-say/{questionnaire.token}/")
    assert response.status_code == 200
    visitor = client.cookies[guard.VISITOR_COOKIE].value
    return guard.issue_token(questionnaire_id=questionnaire.pk, visitor_id=visitor, issued_at=time.time() - 30)


def _answers(sp, **extra):
    q = sp.questions
    return {f"q{q['single'].pk}": "1", f"q{q['multiple'].pk}": ["0", "2"], f"q{q['scale'].pk}": "4",
            f"q{q['text'].pk}": "Neighbours who help", **extra}


def _post(client, sp, token, lang="en-gb", **extra):
    return client.post(f"/{lang}/strategy/have-your-say/{sp.questionnaire.token}/", {**_answers(sp, **extra), guard.TOKEN_FIELD: token})


def test_a_resident_answers_once_and_duplicates_are_refused(world, sp):
    client = Client()
    token = _visit(client, sp.questionnaire)
    response = _post(client, sp, token)
    assert response.status_code == 200 and b"Your answers have been sent" in response.content
    stored = Response.objects.get(questionnaire=sp.questionnaire)
    assert stored.respondent_name == "" and stored.visitor
    assert sorted(Answer.objects.filter(response=stored, question=sp.questions["multiple"]).values_list("choice", flat=True)) == [0, 2]
    again = _post(client, sp, token)  # the same token
    assert again.status_code == 409 and b"already been received" in again.content
    fresh = _visit(client, sp.questionnaire)  # a new token, but the same device
    assert _post(client, sp, fresh).status_code == 409
    assert Response.objects.filter(questionnaire=sp.questionnaire).count() == 1


@pytest.mark.parametrize(("case", "status", "message"), [
    ("honeypot", 400, b"could not be accepted"),
    ("too_fast", 400, b"faster than a person"),
    ("no_cookie", 400, b"has expired or was opened in another browser"),
    ("forged", 400, b"has expired or was opened in another browser"),
])
def test_automated_submissions_are_refused(world, sp, case, status, message):
    client = Client()
    token = _visit(client, sp.questionnaire)
    extra = {}
    if case == "honeypot":
        extra[guard.HONEYPOT_FIELD] = "http://spam.example"
    if case == "too_fast":
        token = guard.issue_token(questionnaire_id=sp.questionnaire.pk, visitor_id=client.cookies[guard.VISITOR_COOKIE].value)
    if case == "no_cookie":
        client.cookies.pop(guard.VISITOR_COOKIE)
    if case == "forged":
        token = token[:-3] + "abc"
    response = _post(client, sp, token, **extra)
    assert response.status_code == status and message in response.content
    assert not Response.objects.exists()


def test_throttling_by_address(world, sp, settings):
    settings.CYMUNED_CONSULTATION_RATE = 1
    first = Client()
    assert _post(first, sp, _visit(first, sp.questionnaire)).status_code == 200
    second = Client()
    refused = _post(second, sp, _visit(second, sp.questionnaire))
    assert refused.status_code == 429 and b"Too many answers" in refused.content


def test_answer_after_closing_is_refused_with_a_clear_message(world, sp):
    client = Client()
    token = _visit(client, sp.questionnaire)
    Questionnaire.objects.filter(pk=sp.questionnaire.pk).update(closes_on=TODAY - datetime.timedelta(days=1))
    response = _post(client, sp, token)
    assert response.status_code == 410 and b"This consultation closed on" in response.content
    assert not Response.objects.exists()
    with pytest.raises(services.Refused) as refusal:
        services.response_submit(questionnaire=Questionnaire.objects.get(pk=sp.questionnaire.pk), answers={}, nonce="n")
    assert refusal.value.code == "closed"


def test_missing_and_invalid_answers_show_the_error_summary(world, sp):
    client = Client()
    token = _visit(client, sp.questionnaire)
    response = _post(client, sp, token, **{f"q{sp.questions['single'].pk}": "", f"q{sp.questions['scale'].pk}": "9"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Answer this question" in body and "Choose one of the answers shown" in body
    assert not Response.objects.exists()


def test_answering_in_welsh(world, sp):
    client = Client()
    token = _visit(client, sp.questionnaire, lang="cy")
    page = client.get(f"/cy/strategy/have-your-say/{sp.questionnaire.token}/").content.decode()
    assert "Ble mae eich cymuned?" in page and "Fy stryd" in page and 'lang="cy"' in page
    assert _post(client, sp, token, lang="cy").status_code == 200
    assert Response.objects.get().language == "cy"


def test_group_questionnaire_needs_sign_in_and_membership(world, sp, client_for):
    q = Questionnaire.objects.create(local_authority=world.la, title_en="Heads", title_cy="Penaethiaid", is_public=False,
                                     group_roles=["headteacher"], is_anonymous=False, opens_on=TODAY, closes_on=TODAY)
    question = Question.objects.create(questionnaire=q, kind="scale", text_en="Support?", text_cy="Cefnogaeth?")
    url = f"/en-gb/strategy/have-your-say/{q.token}/"
    assert "sign-in" in Client().get(url)["Location"]
    assert client_for("school_staff").get(url).status_code == 404
    assert client_for("lead_other_la").get(url).status_code == 404
    head = client_for("headteacher")
    assert head.get(url).status_code == 200
    token = guard.issue_token(questionnaire_id=q.pk, visitor_id=head.cookies[guard.VISITOR_COOKIE].value, issued_at=time.time() - 10)
    no_name = head.post(url, {f"q{question.pk}": "5", guard.TOKEN_FIELD: token, "respondent_name": ""})
    assert no_name.status_code == 422 and b"Enter your name" in no_name.content
    assert head.post(url, {f"q{question.pk}": "5", guard.TOKEN_FIELD: token, "respondent_name": "Rhian Davies"}).status_code == 200
    response = Response.objects.get(questionnaire=q)
    assert response.respondent == world.users["headteacher"] and response.respondent_name == "Rhian Davies"
    # Names are personal data: the owning LA's managers see them, the school does not.
    assert b"Rhian Davies" in client_for("la_lead").get(f"/en-gb/strategy/consultations/{q.pk}/results/").content
    assert b"Rhian Davies" not in client_for("headteacher").get(f"/en-gb/strategy/consultations/{q.pk}/results/").content


def test_results_chart_table_and_export(world, sp, client_for):
    for n in range(3):
        client = Client(REMOTE_ADDR=f"10.0.0.{n}")
        assert _post(client, sp, _visit(client, sp.questionnaire), **{f"q{sp.questions['text'].pk}": f"Answer {n}"}).status_code == 200
    lead = client_for("la_lead")
    page = lead.get(f"/en-gb/strategy/consultations/{sp.questionnaire.pk}/results/").content.decode()
    assert "3 responses" in page and "data-chart=" in page and "<script>" not in page
    assert 'My town</th><td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in page
    assert "Answer 2" in page
    export = lead.get(f"/en-gb/strategy/consultations/{sp.questionnaire.pk}/free-text.csv")
    text = b"".join(export.streaming_content).decode()
    assert export.status_code == 200 and "Answer 0" in text and "In your own words" in text
    assert ExportRecord.objects.filter(kind="strategy-consultation:free-text", row_count=3).exists()
    xlsx = lead.get(f"/en-gb/strategy/consultations/{sp.questionnaire.pk}/free-text.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert lead.get(f"/en-gb/strategy/consultations/{sp.questionnaire.pk}/free-text.pdf").status_code == 404
    assert client_for("lead_other_la").get(f"/en-gb/strategy/consultations/{sp.questionnaire.pk}/results/").status_code == 404
    assert client_for("public").get(f"/en-gb/strategy/consultations/{sp.questionnaire.pk}/results/").status_code in (403, 404)


def test_lead_sets_up_a_questionnaire_and_its_questions(world, sp, client_for):
    lead = client_for("la_lead")
    response = lead.post("/en-gb/strategy/consultations/new/", {
        "title_en": "Premises", "title_cy": "Adeiladau", "audiences": ["residents"], "is_public": "on", "is_anonymous": "on",
        "opens_on": TODAY.isoformat(), "closes_on": (TODAY - datetime.timedelta(days=1)).isoformat()})
    assert response.status_code == 200 and b"The closing date must be on or after the opening date" in response.content
    response = lead.post("/en-gb/strategy/consultations/new/", {
        "title_en": "Premises", "title_cy": "Adeiladau", "audiences": ["residents"], "is_public": "on", "is_anonymous": "on",
        "opens_on": TODAY.isoformat(), "closes_on": TODAY.isoformat()})
    assert response.status_code == 302
    q = Questionnaire.objects.get(title_en="Premises")
    one_option = lead.post(f"/en-gb/strategy/consultations/{q.pk}/questions/add/", {
        "kind": "single", "text_en": "Which?", "text_cy": "Pa un?", "options": "Hall | Neuadd", "required": "on"})
    assert one_option.status_code == 422 and b"Give at least two options" in one_option.content
    assert lead.post(f"/en-gb/strategy/consultations/{q.pk}/questions/add/", {
        "kind": "single", "text_en": "Which?", "text_cy": "Pa un?", "options": "Hall | Neuadd\nField | Cae", "required": "on"}).status_code == 302
    assert q.questions.get().options == [{"en": "Hall", "cy": "Neuadd"}, {"en": "Field", "cy": "Cae"}]
    assert client_for("headteacher").post(f"/en-gb/strategy/consultations/{q.pk}/questions/add/", {}).status_code == 404
    assert client_for("headteacher").get("/en-gb/strategy/consultations/").status_code == 200


def test_api_lists_open_public_consultations_for_anyone(world, sp, client_for):
    Questionnaire.objects.create(local_authority=world.la, title_en="Closed", title_cy="Ar gau", opens_on=TODAY - datetime.timedelta(days=9),
                                 closes_on=TODAY - datetime.timedelta(days=2))
    public = client_for(None).get("/api/v1/questionnaires/").json()["results"]
    assert [q["title_en"] for q in public] == ["What does community mean to you?"]
    assert public[0]["answer_url"].endswith(f"/strategy/have-your-say/{sp.questionnaire.token}/")
    assert len(public[0]["questions"]) == 4
    staff = client_for("school_staff").get("/api/v1/questionnaires/").json()["results"]
    assert {q["title_en"] for q in staff} == {"What does community mean to you?", "Closed"}
    assert client_for("lead_other_la").get("/api/v1/questionnaires/").json()["count"] == 1
