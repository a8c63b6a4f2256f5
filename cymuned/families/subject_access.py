"""Subject access: everything Cymuned holds about one family, as JSON and as a bilingual PDF.

What goes in comes from a registry, so every domain that holds data about a family adds its own section
(in its app's ``ready()``, by importing a module that registers)::

    from cymuned.families.subject_access import Section, record_of, register_section

    @register_section("enrolments", order=60)
    def enrolments(*, household, user):
        rows = list(visible_to(user, Enrolment.objects.filter(learner__household=household)))
        hidden = Enrolment.objects.filter(learner__household=household).count() - len(rows)
        return Section(title=_("Programme enrolments"), records=[record_of(e, ["programme", "enrolled_on"]) for e in rows],
                       withheld=hidden, read=rows)

A builder's contract: read through the access layer as ``user`` and count what the user may not see in
``withheld`` (never show it); return ``None`` to leave the section out; write nothing. Titles and labels
are lazy translations, so each is printed in English and in Welsh. Every instance named in ``read`` has
its read logged, and the audit-log entries about those instances make up the final section.

Who may export is decided by the access layer (``Action.EXPORT`` on the household).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cymuned.access.fields import hidden_fields
from cymuned.access.policy import Action, can, visible_to
from cymuned.audit.services import export_record, record_reads

from .models import Carer, Consent, Contact, Episode, EpisodeReason, Household, Learner

Text = str | Promise

JSON_FORMAT = "cymuned.subject-access.v1"


def later(make: Callable[[], str]) -> Promise:
    """A string worked out when it is printed, so it follows the language active then (for formatted messages)."""
    return lazy(make, str)()


def in_both(text: Text) -> tuple[str, str]:
    """The English and the Welsh of a (lazy) text; plain strings (people's data) are the same in both."""
    if not isinstance(text, Promise):
        return str(text), str(text)
    with translation.override("en-gb"):
        english = str(text)
    with translation.override("cy"):
        welsh = str(text)
    return english, welsh


def bilingual(text: Text, separator: str = " / ") -> str:
    english, welsh = in_both(text)
    return english if english == welsh else f"{english}{separator}{welsh}"


@dataclass(frozen=True)
class Entry:
    """One fact: ``value`` goes into the JSON file (codes, ISO dates), ``shown`` is for people."""

    key: str
    label: Text
    value: Any
    shown: Text


@dataclass
class Section:
    title: Text
    records: list[list[Entry]]
    #: How many records of this kind exist that the exporting user may not see (left out, and said so).
    withheld: int = 0
    #: Print as one table with a column per entry (for many short records) instead of a box per record.
    as_table: bool = False
    #: The personal records shown, whose reading is logged.
    read: list[models.Model] = field(default_factory=list)
    key: str = ""


SectionBuilder = Callable[..., Section | None]

#: key -> (order, builder). Builders are called as ``builder(household=..., user=...)``, lowest order first.
SUBJECT_ACCESS_SECTIONS: dict[str, tuple[int, SectionBuilder]] = {}


def register_section(key: str, *, order: int = 100) -> Callable[[SectionBuilder], SectionBuilder]:
    def decorator(builder: SectionBuilder) -> SectionBuilder:
        SUBJECT_ACCESS_SECTIONS[key] = (order, builder)
        return builder

    return decorator


# --- Entries from model fields ----------------------------------------------------------------------------

YES, NO = _("Yes"), _("No")


def _shown_date(value: datetime.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def field_entry(instance: models.Model, name: str) -> Entry:
    """An entry for one model field: choices and yes/no in both languages, dates as dd/mm/yyyy, relations by name."""
    model_field = instance._meta.get_field(name)
    label = capfirst(model_field.verbose_name)  # type: ignore[union-attr]
    if model_field.is_relation:
        related = getattr(instance, name)
        value = getattr(instance, model_field.attname)  # type: ignore[union-attr]
        return Entry(name, label, value, later(lambda: str(related)) if related is not None else "")
    value = getattr(instance, name)
    if getattr(model_field, "choices", None):
        return Entry(name, label, value, dict(model_field.flatchoices).get(value, value or ""))  # type: ignore[union-attr]
    if isinstance(value, bool):
        return Entry(name, label, value, YES if value else NO)
    if isinstance(value, datetime.date):
        return Entry(name, label, value.isoformat(), _shown_date(value))
    if value is None:
        return Entry(name, label, None, "")
    return Entry(name, label, value, str(value))


def record_of(instance: models.Model, names: Sequence[str]) -> list[Entry]:
    return [field_entry(instance, name) for name in names]


# --- The families domain's sections ------------------------------------------------------------------------


@register_section("household", order=10)
def household_section(*, household: Household, user: Any) -> Section:
    names = ["reference", "address", "postcode", "home_language", "safe_contact_notes", "created_on", "modified_on", "archived_on"]
    names = [name for name in names if name not in hidden_fields(user, Household)]
    return Section(title=_("The household"), records=[record_of(household, names)], read=[household])


@register_section("learners", order=20)
def learners_section(*, household: Household, user: Any) -> Section:
    learners = list(visible_to(user, Learner.objects.with_related()).filter(household=household).order_by("date_of_birth", "pk"))
    names = ["upn", "given_name", "family_name", "date_of_birth", "school", "year_group", "efsm", "additional_learning_needs",
             "aln_detail", "looked_after", "young_carer", "english_additional_language", "welsh_additional_language", "archived_on"]
    names = [name for name in names if name not in hidden_fields(user, Learner)]
    return Section(title=_("Learners"), records=[record_of(learner, names) for learner in learners],
                   withheld=household.learners.count() - len(learners), read=learners)


@register_section("carers", order=30)
def carers_section(*, household: Household, user: Any) -> Section:
    carers = list(visible_to(user, Carer).filter(household=household).order_by("-is_main_contact", "family_name", "given_name", "pk"))
    names = ["given_name", "family_name", "relationship", "parental_responsibility", "preferred_language", "contact_method", "telephone",
             "email", "is_main_contact", "created_on"]
    return Section(title=_("Parents and carers"), records=[record_of(carer, names) for carer in carers],
                   withheld=household.carers.count() - len(carers), read=carers)


@register_section("consents", order=40)
def consents_section(*, household: Household, user: Any) -> Section:
    consents = list(visible_to(user, Consent.objects.select_related("given_by")).filter(household=household).order_by("given_on", "pk"))
    names = ["purpose", "given_by", "method", "given_on", "evidence", "withdrawn_on", "withdrawal_reason"]
    records = []
    for consent in consents:
        withdrawn = consent.withdrawn_on is not None
        status = Entry("status", _("Status"), "withdrawn" if withdrawn else "given", _("Withdrawn") if withdrawn else _("Given"))
        records.append([*record_of(consent, names), status])
    return Section(title=_("Consents, including withdrawals"), records=records, withheld=household.consents.count() - len(consents),
                   read=consents)


def _visible_episodes(household: Household, user: Any) -> list[Episode]:
    return list(visible_to(user, Episode.objects.with_related()).filter(household=household).order_by("opened_on", "pk"))


@register_section("episodes", order=50)
def episodes_section(*, household: Household, user: Any) -> Section:
    episodes = _visible_episodes(household, user)
    records = []
    for episode in episodes:
        reasons = [EpisodeReason(r).label for r in episode.reasons if r in EpisodeReason.values]
        records.append([
            field_entry(episode, "school"),
            Entry("officer", _("Family Engagement Officer"), episode.officer_id, episode.officer.full_name),
            Entry("reasons", _("Reasons"), list(episode.reasons), later(lambda reasons=reasons: ", ".join(str(r) for r in reasons))),
            *record_of(episode, ["goals", "opened_on", "closed_on", "outcome", "outcome_notes"]),
        ])
    return Section(title=_("Engagement episodes"), records=records, withheld=household.episodes.count() - len(episodes), read=episodes)


@register_section("contacts", order=55)
def contacts_section(*, household: Household, user: Any) -> Section:
    contacts = list(
        visible_to(user, Contact.objects.select_related("episode__school")).filter(episode__household=household).order_by("happened_on", "pk")
    )
    names = ["happened_on", "kind", "duration_minutes", "present", "notes", "next_steps", "next_step_due"]
    records = []
    for contact in contacts:
        episode = contact.episode
        records.append([
            Entry("episode", _("Episode"), episode.pk, later(lambda e=episode: f"{e.school}, {_shown_date(e.opened_on)}")),
            *record_of(contact, names),
            Entry("topics", _("Topics"), list(contact.topics), ", ".join(str(t) for t in contact.topics)),
        ])
    total = Contact.objects.filter(episode__household=household).count()
    return Section(title=_("Contacts with the family"), records=records, withheld=total - len(contacts), read=contacts)


# --- The audit trail of what was shown ----------------------------------------------------------------------

_ACTIONS = {0: _("Created"), 1: _("Changed"), 2: _("Deleted"), 3: _("Opened")}


def _changed_fields(model: type[models.Model] | None, changes: Any) -> Text:
    if not isinstance(changes, dict) or model is None:
        return ""
    names = {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
    labels = [names[k].verbose_name if k in names else k for k in changes]  # type: ignore[union-attr]
    return later(lambda: ", ".join(str(label) for label in labels))


def audit_section(read: Sequence[models.Model]) -> Section:
    """Who created, changed and opened the records in this export, and when (the records' audit-log entries).

    Read here on the strength of the export permission: the entries are about records the user may see,
    and they are part of what is held about the family. The change values themselves are not repeated.
    """
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    by_model: dict[type[models.Model], list[int]] = {}
    for instance in read:
        by_model.setdefault(type(instance), []).append(instance.pk)
    query = Q(pk__in=[])
    types = ContentType.objects.get_for_models(*by_model) if by_model else {}
    for model, pks in by_model.items():
        query |= Q(content_type=types[model], object_id__in=pks)
    entries = LogEntry.objects.filter(query).select_related("actor", "content_type").order_by("timestamp", "pk")
    records = []
    for entry in entries:
        model = entry.content_type.model_class()
        kind = capfirst(model._meta.verbose_name) if model else entry.content_type.model
        records.append([
            Entry("timestamp", _("When"), entry.timestamp.isoformat(), _shown_date(entry.timestamp)),
            Entry("action", _("What happened"), entry.action, _ACTIONS.get(entry.action, str(entry.action))),
            Entry("record", _("Record"), f"{entry.content_type.model}:{entry.object_pk}", f"{bilingual(kind)}: {entry.object_repr}"),
            Entry("fields", _("Details changed"), sorted(entry.changes) if isinstance(entry.changes, dict) else [],
                  _changed_fields(model, entry.changes) if entry.action == 1 else ""),
            Entry("by", _("By"), entry.actor.full_name if entry.actor else None,
                  entry.actor.full_name if entry.actor else _("Cymuned (automatic)")),
        ])
    return Section(title=_("Who created, changed and opened these records"), records=records, as_table=True, key="audit")


# --- Assembling and rendering ---------------------------------------------------------------------------------


@dataclass
class SubjectAccess:
    household: Household
    generated_on: datetime.datetime
    generated_by: str
    sections: list[Section]

    @property
    def record_count(self) -> int:
        return sum(len(s.records) for s in self.sections)

    @property
    def withheld(self) -> int:
        return sum(s.withheld for s in self.sections)

    @property
    def read(self) -> list[models.Model]:
        return [instance for s in self.sections for instance in s.read]


def subject_access_for(*, user: Any, household: Household) -> SubjectAccess:
    """Every registered section for the household as the user may see it, then the audit trail of those records. Reads only."""
    sections = []
    for key, (_order, builder) in sorted(SUBJECT_ACCESS_SECTIONS.items(), key=lambda item: (item[1][0], item[0])):
        section = builder(household=household, user=user)
        if section is not None:
            section.key = key
            sections.append(section)
    sections.append(audit_section([instance for s in sections for instance in s.read]))
    return SubjectAccess(household=household, generated_on=timezone.now(), generated_by=getattr(user, "full_name", "") or str(user),
                         sections=sections)


def _withheld_note(count: int) -> Promise:
    return later(lambda: ngettext(
        "%(count)s more record of this kind is held by a school you do not work with. It is not in this file.",
        "%(count)s more records of this kind are held by schools you do not work with. They are not in this file.",
        count,
    ) % {"count": count})


def as_json(report: SubjectAccess) -> bytes:
    def both(text: Text) -> dict[str, str]:
        english, welsh = in_both(text)
        return {"en": english, "cy": welsh}

    data = {
        "format": JSON_FORMAT,
        "household": report.household.pk,
        "generated_on": report.generated_on.isoformat(),
        "generated_by": report.generated_by,
        "sections": [
            {
                "key": s.key,
                "title": both(s.title),
                "withheld": s.withheld,
                "fields": {e.key: both(e.label) for e in (s.records[0] if s.records else [])},
                "records": [{e.key: e.value for e in record} for record in s.records],
            }
            for s in report.sections
        ],
    }
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


TITLE = _("Information held about a family")
INTRO = _("Everything Cymuned holds about this family that the person who produced this file may see, for a subject access request.")


def as_pdf(report: SubjectAccess) -> bytes:
    """A readable file: every heading and label in English and Welsh, each record in a box of its own."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

    from cymuned.core import pdf

    style = pdf.styles()
    width = 180 * mm  # A4 less the margins

    def para(value: Text, kind: str = "body") -> Any:
        return Paragraph(pdf.text(bilingual(value)), style[kind])

    story: list[Any] = [para(TITLE, "h1"), Paragraph(pdf.text(report.household.reference), style["h2"]), para(INTRO, "text")]
    facts = [(_("Produced on"), _shown_date(report.generated_on)), (_("Produced by"), report.generated_by)]
    story.append(Table([[para(label, "label"), para(value)] for label, value in facts], colWidths=[60 * mm, width - 60 * mm],
                       style=pdf.table_style(header=False)))
    for section in report.sections:
        story.append(para(section.title, "h2"))
        if section.withheld:
            story.append(para(_withheld_note(section.withheld), "text"))
        if not section.records:
            story.append(para(_("None recorded."), "text"))
            continue
        if section.as_table:
            columns = len(section.records[0])
            rows = [[para(e.label, "label") for e in section.records[0]]]
            rows += [[para(e.shown) for e in record] for record in section.records]
            story.append(Table(rows, colWidths=[width / columns] * columns, repeatRows=1, splitInRow=1, style=pdf.table_style()))
            continue
        for record in section.records:
            box = Table([[para(e.label, "label"), para(e.shown)] for e in record], colWidths=[60 * mm, width - 60 * mm],
                        splitInRow=1, style=pdf.table_style(header=False))  # long notes run on to the next page
            story.append(KeepTogether([box, Spacer(1, 4 * mm)]))
    return pdf.build(story, title=bilingual(TITLE))


FORMATS = {
    "json": (as_json, "application/json; charset=utf-8"),
    "pdf": (as_pdf, "application/pdf"),
}


@transaction.atomic
def subject_access_export(*, by: Any, household: Household, file_format: str, remote_addr: str | None) -> tuple[bytes, str, str]:
    """The file (content, content type, file name) for a subject access request; the reads and the export are logged.

    Only someone the access layer allows to EXPORT the household may take it out.
    """
    if not can(by, Action.EXPORT, household):
        raise PermissionDenied
    render, content_type = FORMATS[file_format]
    report = subject_access_for(user=by, household=household)
    content = render(report)
    record_reads(instances=report.read)
    export_record(user=by, kind=f"subject-access-{file_format}", row_count=report.record_count,
                  filters={"household": household.pk, "withheld": report.withheld}, remote_addr=remote_addr)
    return content, content_type, f"subject-access-household-{household.pk}.{file_format}"

