"""Self-evaluation: framework, rating, moderation, evidence, stakeholder voice, action plans, reports."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cymuned.access.policy import Action as Act
from cymuned.access.policy import can, visible_to
from cymuned.core.models import Notification
from cymuned.evaluation import services
from cymuned.evaluation.models import (
    Action,
    Descriptor,
    Evaluation,
    EvaluationStatus,
    Evidence,
    Framework,
    Rating,
    SurveyResponse,
    academic_year_for,
    previous_academic_year,
)

pytestmark = pytest.mark.django_db


def rate_all(world, evaluation=None, level=2, by="headteacher"):
    evaluation = evaluation or world.evaluation
    for cell in world.framework.cells.all():
        services.rating_save(by=world.user(by), evaluation=evaluation, cell=cell, stage=world.stages[level], rationale="Evidence in minutes.")


def submitted(world):
    rate_all(world)
    return services.evaluation_submit(by=world.user("headteacher"), evaluation=world.evaluation)


def moderated(world):
    evaluation = submitted(world)
    decisions = {c.pk: (world.stages[2], "") for c in world.framework.cells.all()}
    return services.evaluation_moderate(by=world.user("la_officer"), evaluation=evaluation, decisions=decisions, summary="Agreed.")


# --- Framework --------------------------------------------------------------------------------


def test_default_framework_is_complete_and_bilingual(world):
    f = world.framework
    assert f.cells.count() == 12 and f.stages.count() == 4 and Descriptor.objects.filter(cell__framework=f).count() == 48
    for cell in f.cells.all():
        assert cell.guidance_en and cell.guidance_cy and cell.guidance_en != cell.guidance_cy
    assert set(f.stages.values_list("name_cy", flat=True)) == {"Dechreuol", "Datblygol", "Sefydledig", "Arwain"}


def test_new_version_copies_and_leaves_old_evaluations_alone(world):
    copy = services.framework_new_version(by=world.user("la_lead"), framework=world.framework)
    assert copy.version == 2 and not copy.is_current
    assert copy.cells.count() == 12 and Descriptor.objects.filter(cell__framework=copy).count() == 48
    cell = copy.cells.first()
    data = {"guidance_en": "New guidance", "guidance_cy": "Canllawiau newydd", "example_evidence_en": "", "example_evidence_cy": ""}
    services.cell_update(by=world.user("la_lead"), cell=cell, data=data,
                         descriptors={d.stage_id: (d.text_en + " (v2)", d.text_cy + " (f2)") for d in cell.descriptors.all()})
    services.framework_make_current(by=world.user("la_lead"), framework=copy)
    world.evaluation.refresh_from_db()
    assert world.evaluation.framework_id == world.framework.pk
    assert Framework.objects.get(pk=world.framework.pk).is_current is False
    # The version in use cannot be changed.
    with pytest.raises(ValidationError):
        services.cell_update(by=world.user("la_lead"), cell=world.cell, data=data, descriptors={})


def test_only_the_la_lead_changes_the_framework(world):
    for name in ("la_officer", "headteacher", "lead_other_la"):
        with pytest.raises(PermissionDenied):
            services.framework_new_version(by=world.user(name), framework=world.framework)


# --- The cycle ------------------------------------------------------------------------------------


def test_open_evaluation_rules(world):
    evaluation = services.evaluation_open(by=world.user("headteacher"), school=world.school_a, academic_year="2027-28")
    assert evaluation.framework == world.framework and evaluation.status == EvaluationStatus.DRAFT
    with pytest.raises(ValidationError) as duplicate:
        services.evaluation_open(by=world.user("csm"), school=world.school_a, academic_year="2027-28")
    assert "already has an evaluation" in str(duplicate.value)
    with pytest.raises(PermissionDenied):
        services.evaluation_open(by=world.user("partner_worker"), school=world.school_a, academic_year="2028-29")
    with pytest.raises(PermissionDenied):
        services.evaluation_open(by=world.user("head_other_cluster"), school=world.school_a, academic_year="2028-29")
    with pytest.raises(ValidationError):
        services.evaluation_open(by=world.user("headteacher"), school=world.school_a, academic_year="2028")


def test_rating_rejects_a_stage_outside_the_continuum(world):
    other = services.framework_new_version(by=world.user("la_lead"), framework=world.framework)
    with pytest.raises(ValidationError):
        services.rating_save(by=world.user("headteacher"), evaluation=world.evaluation, cell=world.cell,
                             stage=other.stages.first(), rationale="x")
    with pytest.raises(ValidationError):
        services.rating_save(by=world.user("headteacher"), evaluation=world.evaluation, cell=world.cell, stage=world.stages[1], rationale=" ")
    assert not Rating.objects.exists()


def test_submit_needs_all_twelve_and_then_freezes_the_school(world):
    services.rating_save(by=world.user("headteacher"), evaluation=world.evaluation, cell=world.cell, stage=world.stages[1], rationale="r")
    with pytest.raises(ValidationError) as incomplete:
        services.evaluation_submit(by=world.user("headteacher"), evaluation=world.evaluation)
    assert "11 not rated" in str(incomplete.value)
    rate_all(world)
    services.evaluation_submit(by=world.user("headteacher"), evaluation=world.evaluation)
    with pytest.raises(ValidationError):
        services.rating_save(by=world.user("headteacher"), evaluation=world.evaluation, cell=world.cell, stage=world.stages[4], rationale="r")
    assert Rating.objects.get(cell=world.cell).stage == world.stages[2]


def test_moderation_by_the_right_role_with_comments_for_changes(world):
    evaluation = submitted(world)
    decisions = {c.pk: (world.stages[2], "") for c in world.framework.cells.all()}
    decisions[world.cell.pk] = (world.stages[1], "")
    for name in ("headteacher", "head_other_cluster", "partner_worker", "lead_other_la"):
        with pytest.raises(PermissionDenied):
            services.evaluation_moderate(by=world.user(name), evaluation=evaluation, decisions=decisions, summary="")
    with pytest.raises(ValidationError) as no_comment:
        services.evaluation_moderate(by=world.user("la_officer"), evaluation=evaluation, decisions=decisions, summary="")
    assert f"comment_{world.cell.pk}" in no_comment.value.message_dict
    assert not Rating.objects.filter(moderated_stage__isnull=False).exists()
    decisions[world.cell.pk] = (world.stages[1], "Not yet across all year groups.")
    services.evaluation_moderate(by=world.user("la_officer"), evaluation=evaluation, decisions=decisions, summary="Well evidenced.")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.MODERATED
    assert Rating.objects.get(cell=world.cell).moderated_stage == world.stages[1]
    assert Notification.objects.filter(user=world.user("headteacher"), message__contains="moderated").exists()


def test_publication_opens_the_evaluation_to_the_la_but_not_its_evidence(world):
    evaluation = moderated(world)
    assert not can(world.user("partner_worker"), Act.VIEW, evaluation)
    with pytest.raises(PermissionDenied):
        services.evaluation_publish(by=world.user("headteacher"), evaluation=evaluation)
    services.evaluation_publish(by=world.user("la_lead"), evaluation=evaluation)
    for name in ("partner_worker", "head_other_cluster", "governor"):
        assert can(world.user(name), Act.VIEW, evaluation), name
    assert not can(world.user("lead_other_la"), Act.VIEW, evaluation)
    assert not visible_to(world.user("partner_worker"), Evidence).exists()
    assert visible_to(world.user("la_officer"), Evidence).exists()


def test_drafts_are_private_to_the_school(world):
    for name, allowed in [("headteacher", True), ("governor", True), ("feo", True), ("la_lead", False), ("partner_worker", False),
                          ("head_other_cluster", False)]:
        assert can(world.user(name), Act.VIEW, world.evaluation) is allowed, name


def test_return_to_school(world):
    evaluation = submitted(world)
    with pytest.raises(ValidationError):
        services.evaluation_return(by=world.user("la_officer"), evaluation=evaluation, reason="")
    services.evaluation_return(by=world.user("la_officer"), evaluation=evaluation, reason="Add evidence for multi-agency work.")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT and can(world.user("headteacher"), Act.CHANGE, evaluation)


# --- Evidence -----------------------------------------------------------------------------------------


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00", "file_type"),
        ("minutes.pdf", b"<html>not a pdf</html>", "file_content"),
        ("photo.png", b"\xff\xd8\xffJPEG really", "file_content"),
        ("empty.pdf", b"", "file_empty"),
        ("noextension", b"%PDF-1.4", "file_type"),
        ("notes.txt", b"binary\x00data", "file_content"),
    ],
)
def test_bad_evidence_files_are_refused(world, name, content, code):
    before = Evidence.objects.count()
    with pytest.raises(ValidationError) as error:
        services.evidence_add(by=world.user("headteacher"), evaluation=world.evaluation, kind="file", title="x", upload=upload(name, content))
    assert error.value.error_dict["file"][0].code == code
    assert Evidence.objects.count() == before


def test_too_large_evidence_is_refused(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_EVIDENCE_BYTES", 10)
    with pytest.raises(ValidationError) as error:
        services.evidence_add(by=world.user("headteacher"), evaluation=world.evaluation, kind="file", title="x",
                              upload=upload("big.pdf", b"%PDF-1.4 and more than ten bytes"))
    assert error.value.error_dict["file"][0].code == "file_size"


def test_good_evidence_of_each_kind(world):
    head = world.user("headteacher")
    f = services.evidence_add(by=head, evaluation=world.evaluation, kind="file", title="Survey", upload=upload("survey.pdf", b"%PDF-1.7 ok"))
    assert f.original_filename == "survey.pdf" and "survey" not in f.file.name  # stored under a random name
    services.evidence_add(by=head, evaluation=world.evaluation, kind="link", title="Blog", url="https://example.org/blog")
    figure = services.evidence_add(by=head, evaluation=world.evaluation, kind="figure", title="", figure_key="learners_on_roll")
    assert figure.figure_value == 1 and figure.title


def test_evidence_download_is_scoped(world, client_for):
    url = f"/en-gb/self-evaluation/evidence/{world.evidence.pk}/download/"
    response = client_for("headteacher").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    assert client_for("partner_worker").get(url).status_code == 404
    assert client_for("head_other_cluster").get(url).status_code == 404


# --- Stakeholder voice ----------------------------------------------------------------------------------


def test_public_questionnaire(world, client):
    url = f"/cy/self-evaluation/questionnaire/{world.survey.token}/"
    page = client.get(url)
    assert page.status_code == 200 and "Mewngofnodi" in page.content.decode()  # the Welsh shell, no sign-in needed
    cells = list(world.framework.cells.all())
    partial = client.post(url, {f"cell_{cells[0].pk}": "4"})
    assert partial.status_code == 200 and "govuk-error-summary" in partial.content.decode()
    assert not SurveyResponse.objects.exists()
    full = client.post(url, {f"cell_{c.pk}": "3" for c in cells})
    assert full.status_code == 200 and SurveyResponse.objects.count() == 1
    world.survey.is_open = False
    world.survey.save()
    closed = client.post(url, {f"cell_{c.pk}": "3" for c in cells})
    assert SurveyResponse.objects.count() == 1 and closed.status_code == 200
    assert client.get("/en-gb/self-evaluation/questionnaire/not-a-token/").status_code == 404


def test_survey_results_sit_beside_the_ratings(world, client_for):
    services.survey_respond(survey=world.survey, scores={c.pk: 4 for c in world.framework.cells.all()})
    body = client_for("headteacher").get(f"/en-gb/self-evaluation/{world.evaluation.pk}/").content.decode()
    assert "Parents and carers" in body and "4.0" in body


# --- Action plan ----------------------------------------------------------------------------------------------


def test_action_rules_and_overdue_reminders(world, django_capture_on_commit_callbacks, mailoutbox):
    head = world.user("headteacher")
    with pytest.raises(ValidationError):
        services.action_create(by=head, evaluation=world.evaluation, cell=world.cell, title="x", owner=world.user("partner_other"),
                               due_on=datetime.date.today(), success_measure="y", rag="red")
    action = services.action_create(by=head, evaluation=world.evaluation, cell=world.cell, title="Open the hall",
                                    owner=world.user("school_staff"), due_on=datetime.date.today() - datetime.timedelta(days=3),
                                    success_measure="Two groups", rag="amber")
    with pytest.raises(ValidationError):
        services.action_record_progress(by=head, action=action, on=datetime.date.today() + datetime.timedelta(days=1), note="x", rag="green",
                                        completed=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify_overdue_actions", verbosity=0)
        call_command("notify_overdue_actions", verbosity=0)  # once a day at most
    notes = Notification.objects.filter(user=world.user("school_staff"), message__contains="Overdue")
    assert notes.count() == 1
    assert len([m for m in mailoutbox if "overdue" in m.subject.lower()]) == 1
    services.action_record_progress(by=world.user("school_staff"), action=action, on=datetime.date.today(), note="Done", rag="green",
                                    completed=True)
    action.refresh_from_db()
    assert action.completed_on == datetime.date.today() and action.rag == "green"
    with pytest.raises(PermissionDenied):
        services.action_record_progress(by=world.user("governor"), action=action, on=datetime.date.today(), note="x", rag="red", completed=False)


# --- Pages -----------------------------------------------------------------------------------------------------


def test_rating_page_in_welsh_with_errors(world, client_for):
    client = client_for("headteacher")
    url = f"/cy/self-evaluation/{world.evaluation.pk}/rate/{world.cell.pk}/"
    page = client.get(url).content.decode()
    assert "Dechreuol" in page
    bad = client.post(url, {"stage": "999999", "rationale": ""}).content.decode()
    assert "Mae problem wedi codi" in bad
    ok = client.post(url, {"stage": world.stages[3].pk, "rationale": "Cofnodion y fforwm rhieni"})
    assert ok.status_code == 302
    assert Rating.objects.get(evaluation=world.evaluation, cell=world.cell).stage == world.stages[3]


def test_rating_a_cell_of_another_framework_is_404(world, client_for):
    other = services.framework_new_version(by=world.user("la_lead"), framework=world.framework)
    url = f"/en-gb/self-evaluation/{world.evaluation.pk}/rate/{other.cells.first().pk}/"
    assert client_for("headteacher").get(url).status_code == 404


def test_moderate_and_publish_through_the_pages(world, client_for):
    evaluation = submitted(world)
    officer = client_for("la_officer")
    data = {f"stage_{c.pk}": world.stages[2].pk for c in world.framework.cells.all()}
    data[f"stage_{world.cell.pk}"] = world.stages[3].pk
    missing_comment = officer.post(f"/en-gb/self-evaluation/{evaluation.pk}/moderate/", data)
    assert missing_comment.status_code == 200 and "Say why you adjusted" in missing_comment.content.decode()
    data[f"comment_{world.cell.pk}"] = "Stronger than the school says."
    assert officer.post(f"/en-gb/self-evaluation/{evaluation.pk}/moderate/", data).status_code == 302
    assert client_for("la_lead").post(f"/en-gb/self-evaluation/{evaluation.pk}/publish/").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLISHED
    detail = client_for("headteacher").get(f"/en-gb/self-evaluation/{evaluation.pk}/").content.decode()
    assert "Moderated to" in detail and "Stronger than the school says." in detail


def test_submit_incomplete_shows_a_message(world, client_for):
    response = client_for("headteacher").post(f"/en-gb/self-evaluation/{world.evaluation.pk}/submit/", follow=True)
    assert "Rate every square before submitting" in response.content.decode()
    world.evaluation.refresh_from_db()
    assert world.evaluation.status == EvaluationStatus.DRAFT


def test_open_page_and_duplicate_error(world, client_for):
    client = client_for("headteacher")
    response = client.post("/en-gb/self-evaluation/open/", {"school": world.school_a.pk, "academic_year": "2026-27"})
    assert response.status_code == 200 and "already has an evaluation" in response.content.decode()


def test_evidence_upload_through_the_page(world, client_for):
    client = client_for("csm")
    response = client.post(f"/en-gb/self-evaluation/{world.evaluation.pk}/evidence/add/",
                           {"kind": "file", "title": "Photos", "file": upload("fake.png", b"not an image", "image/png")})
    assert response.status_code == 200 and "do not match its type" in response.content.decode()
    ok = client.post(f"/en-gb/self-evaluation/{world.evaluation.pk}/evidence/add/",
                     {"kind": "file", "title": "Minutes", "file": upload("m.pdf", b"%PDF-1.5 x")})
    assert ok.status_code == 302


def test_heatmap_and_profile(world, client_for):
    moderated(world)
    lead = client_for("la_lead")
    page = lead.get("/en-gb/self-evaluation/heatmap/?academic_year=2026-27").content.decode()
    assert "Alpha School" in page and "Developing" in page and "data-chart=" in page
    filtered = lead.get(f"/en-gb/self-evaluation/heatmap/?academic_year=2026-27&cluster={world.cluster_y.pk}").content.decode()
    assert "Alpha School" not in filtered
    profile = lead.get(f"/en-gb/self-evaluation/schools/{world.school_a.pk}/").content.decode()
    assert "2026-27" in profile and "Coffee mornings" in profile
    # A draft does not show on the LA heatmap.
    assert "Beta School" in page


def test_exports(world, client_for):
    from openpyxl import load_workbook

    from cymuned.audit.models import ExportRecord

    moderated(world)
    response = client_for("la_lead").get("/en-gb/self-evaluation/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Ratings", "Actions"] and book["Ratings"].max_row == 13
    pdf = client_for("headteacher").get(f"/cy/self-evaluation/schools/{world.school_a.pk}/summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    cluster_pdf = client_for("la_lead").get(f"/en-gb/self-evaluation/clusters/{world.cluster_x.pk}/summary.pdf")
    assert cluster_pdf.content.startswith(b"%PDF")
    assert set(ExportRecord.objects.values_list("kind", flat=True)) == {"evaluation-xlsx", "evaluation-school-pdf", "evaluation-cluster-pdf"}
    # Someone who may not see the school's drafts gets nothing of them.
    outsider = client_for("partner_worker").get("/en-gb/self-evaluation/export.xlsx")
    assert load_workbook(io.BytesIO(outsider.content))["Ratings"].max_row == 1


def test_api_scoping_and_action_patch(world, client_for):
    import json

    assert [e["id"] for e in client_for("headteacher").get("/api/v1/evaluations/").json()["results"]] == [world.evaluation.pk]
    assert client_for("la_lead").get("/api/v1/evaluations/").json()["count"] == 0  # a draft is the school's own
    assert client_for("partner_worker").get(f"/api/v1/evaluations/{world.evaluation.pk}/").status_code == 404
    frameworks = client_for("governor").get("/api/v1/frameworks/").json()["results"]
    assert len(frameworks[0]["cells"]) == 12
    response = client_for("csm").patch(f"/api/v1/actions/{world.action.pk}/", data=json.dumps({"rag": "green"}), content_type="application/json")
    assert response.status_code == 200, response.content
    assert Action.objects.get(pk=world.action.pk).rag == "green"
    bad = client_for("csm").patch(f"/api/v1/actions/{world.action.pk}/", data=json.dumps({"rag": "purple"}), content_type="application/json")
    assert bad.status_code == 400
    assert client_for("governor").patch(f"/api/v1/actions/{world.action.pk}/", data=json.dumps({"rag": "red"}),
                                        content_type="application/json").status_code == 403


def test_academic_years():
    assert academic_year_for(datetime.date(2026, 9, 1)) == "2026-27"
    assert academic_year_for(datetime.date(2026, 8, 31)) == "2025-26"
    assert previous_academic_year("2000-01") == "1999-00"


def test_evaluation_unique_per_school_and_year(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Evaluation.objects.create(school=world.school_a, academic_year="2026-27", framework=world.framework)
