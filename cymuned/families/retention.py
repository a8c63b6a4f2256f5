"""Retention: personal details of finished family work are kept for a set time, then anonymised or deleted.

The periods are in ``settings.CYMUNED_RETENTION`` (years). ``manage.py apply_retention`` calls
:func:`retention_apply`, which walks :data:`RETENTION_KINDS` in order, in one transaction.

*Anonymising* blanks what identifies people (names, addresses, contact details, free-text notes) and keeps
what the figures need (dates, kinds, outcomes, reasons, schools, officers, durations), so contacts per month,
outcome counts and the like do not change. Required text fields get :data:`ANONYMISED`. *Deleting* removes
the records. Either way the audit log says what was done (an entry per record, with no actor), and the
earlier audit-log entries of those records lose the personal values they copied (their ``object_repr`` and
the values of the blanked fields), keeping who did what and when: otherwise the log would keep what the
records no longer hold.

Other apps add kinds of records with :func:`register_kind` (a :class:`RetentionKind` subclass); a kind that
another depends on (for example records pointing at a household) must come first.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Carer, Consent, Contact, Episode, Household, Learner

DRY_RUN, ANONYMISE, DELETE = "dry_run", "anonymise", "delete"
MODES = (DRY_RUN, ANONYMISE, DELETE)

#: What replaces a required name or text: the same in English and Welsh.
ANONYMISED = "—"

#: Used when a setting is missing.
DEFAULT_PERIODS = {"episode_closed_years": 6, "household_inactive_years": 6}


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class RetentionRun:
    today: datetime.date
    mode: str
    periods: Mapping[str, int]

    def years(self, setting: str) -> int:
        return int(self.periods[setting])

    def cutoff(self, setting: str) -> datetime.date:
        """Records whose clock stopped before this day are past retention."""
        return years_before(self.today, self.years(setting))

    def cutoff_moment(self, setting: str) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.cutoff(setting), datetime.time.min))


def retention_periods() -> dict[str, int]:
    return {**DEFAULT_PERIODS, **getattr(settings, "CYMUNED_RETENTION", {})}


# --- The audit trail ------------------------------------------------------------------------------------------


def _content_type(model: type[models.Model]) -> Any:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model)


def redact_history(model: type[models.Model], pks: Iterable[int], fields: Iterable[str]) -> int:
    """Take the personal values out of earlier audit-log entries of these records; the entries stay."""
    from auditlog.models import LogEntry

    pks, fields = list(pks), set(fields)
    if not pks:
        return 0
    from django.db import connection

    if connection.vendor == "postgresql":
        # The audit trail is guarded in the database: only this function may overwrite personal values in it.
        from cymuned.audit.database import redact_log_entries

        return redact_log_entries(content_type_id=_content_type(model).pk, ids=pks, fields=fields, placeholder=ANONYMISED)
    entries = LogEntry.objects.filter(content_type=_content_type(model), object_id__in=pks)
    entries.exclude(object_repr=ANONYMISED).update(object_repr=ANONYMISED)
    changed = []
    for entry in entries.exclude(changes__isnull=True).only("pk", "changes").iterator(chunk_size=500):
        if not isinstance(entry.changes, dict) or not fields & entry.changes.keys():
            continue
        entry.changes = {key: ([ANONYMISED for _value in value] if key in fields and isinstance(value, list) else value)
                         for key, value in entry.changes.items()}
        changed.append(entry)
    LogEntry.objects.bulk_update(changed, ["changes"], batch_size=500)
    return len(changed)


def log_retention(model: type[models.Model], pks: Iterable[int], *, run: RetentionRun, kind: RetentionKind,
                  blanked: Mapping[str, Any] | None = None) -> None:
    """An audit-log entry per record: anonymised (an update naming the blanked fields) or deleted."""
    from auditlog.models import LogEntry

    content_type = _content_type(model)
    action = LogEntry.Action.DELETE if run.mode == DELETE else LogEntry.Action.UPDATE
    changes = {name: [ANONYMISED, value] for name, value in (blanked or {}).items()} or None
    extra = {"retention": run.mode, "kind": kind.key, "rule": kind.setting, "years": run.years(kind.setting)}
    LogEntry.objects.bulk_create(
        [LogEntry(content_type=content_type, object_pk=str(pk), object_id=pk, object_repr=ANONYMISED, action=action, changes=changes,
                  additional_data=extra) for pk in pks],
        batch_size=500,
    )


def _quietly() -> Any:
    """No automatic audit entries (they would copy the personal values out): the kinds write their own."""
    from auditlog.context import disable_auditlog

    return disable_auditlog()


# --- Kinds of record ----------------------------------------------------------------------------------------------


class RetentionKind:
    """One kind of record under retention. Subclasses say which records are due and how to blank them."""

    key: str
    label: str | Promise
    model: type[models.Model]
    #: The key of settings.CYMUNED_RETENTION that sets the period.
    setting: str
    #: Field -> the value it gets when anonymised. Fields not named here are kept.
    blank: Mapping[str, Any]

    def due(self, run: RetentionRun) -> QuerySet[Any]:
        """Every record past retention, anonymised already or not."""
        raise NotImplementedError

    def holding_personal_data(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Those still holding something that anonymising would blank."""
        still = Q(pk__in=[])
        for name, value in self.blank.items():
            still |= ~Q(**{name: value})
        return queryset.filter(still)

    def describe(self, obj: Any) -> str:
        """A line for the listing, with no personal details."""
        return f"{self.model._meta.model_name} {obj.pk}"

    def anonymise(self, pks: list[int], run: RetentionRun) -> None:
        with _quietly():
            self.model._default_manager.filter(pk__in=pks).update(**self.blank)
        redact_history(self.model, pks, self.blank)
        log_retention(self.model, pks, run=run, kind=self, blanked=self.blank)

    def delete(self, pks: list[int], run: RetentionRun) -> None:
        with _quietly():
            self.model._default_manager.filter(pk__in=pks).delete()
        redact_history(self.model, pks, self.blank)
        log_retention(self.model, pks, run=run, kind=self)


#: key -> kind, applied in this order.
RETENTION_KINDS: dict[str, RetentionKind] = {}


def register_kind(kind: RetentionKind) -> RetentionKind:
    RETENTION_KINDS[kind.key] = kind
    return kind


def _day(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "–"


class ContactRetention(RetentionKind):
    key = "contacts"
    label = gettext_lazy("Contacts of closed episodes")
    model = Contact
    setting = "episode_closed_years"
    blank = {"present": "", "notes": "", "next_steps": ""}

    def due(self, run: RetentionRun) -> QuerySet[Contact]:
        return Contact.objects.filter(episode__closed_on__lt=run.cutoff(self.setting)).order_by("happened_on", "pk")

    def describe(self, obj: Contact) -> str:
        return _("contact %(pk)s on %(day)s, episode %(episode)s") % {"pk": obj.pk, "day": _day(obj.happened_on), "episode": obj.episode_id}


class EpisodeRetention(RetentionKind):
    key = "episodes"
    label = gettext_lazy("Closed engagement episodes")
    model = Episode
    setting = "episode_closed_years"
    blank = {"goals": ANONYMISED, "outcome_notes": ""}

    def due(self, run: RetentionRun) -> QuerySet[Episode]:
        return Episode.objects.filter(closed_on__lt=run.cutoff(self.setting)).select_related("school").order_by("closed_on", "pk")

    def describe(self, obj: Episode) -> str:
        return _("episode %(pk)s at %(school)s, opened %(opened)s, closed %(closed)s") % {
            "pk": obj.pk, "school": obj.school, "opened": _day(obj.opened_on), "closed": _day(obj.closed_on)}

    def delete(self, pks: list[int], run: RetentionRun) -> None:
        contacts = list(Contact.objects.filter(episode_id__in=pks).values_list("pk", flat=True))
        super().delete(pks, run)  # the contacts go with their episode
        redact_history(Contact, contacts, ContactRetention.blank)
        log_retention(Contact, contacts, run=run, kind=self)


class HouseholdRetention(RetentionKind):
    """A household nobody has worked with for the period: no learner on roll, no episode within either period, nothing changed.

    Anonymising blanks the household, its parents and carers and the free text of its consents, and archives it.
    Deleting removes it with its carers, consents, episodes and contacts; learners stay, unlinked.
    """

    key = "households"
    label = gettext_lazy("Households with no recent activity")
    model = Household
    setting = "household_inactive_years"
    blank = {"reference": ANONYMISED, "address": "", "postcode": "", "safe_contact_notes": ""}
    carer_blank = {"given_name": ANONYMISED, "family_name": ANONYMISED, "telephone": "", "email": ""}
    consent_blank = {"evidence": "", "withdrawal_reason": ""}

    def due(self, run: RetentionRun) -> QuerySet[Household]:
        since = run.cutoff_moment(self.setting)
        episodes_end = min(run.cutoff(self.setting), run.cutoff(EpisodeRetention.setting))
        mine = {"household": OuterRef("pk")}
        return (
            Household.objects.filter(modified_on__lt=since)
            .exclude(Exists(Learner.objects.filter(**mine).filter(Q(archived_on__isnull=True) | Q(modified_on__gte=since))))
            .exclude(Exists(Episode.objects.filter(**mine).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=episodes_end))))
            .exclude(Exists(Carer.objects.filter(**mine, modified_on__gte=since)))
            .exclude(Exists(Consent.objects.filter(**mine, modified_on__gte=since)))
            .order_by("modified_on", "pk")
        )

    def holding_personal_data(self, queryset: QuerySet[Household]) -> QuerySet[Household]:
        named_carers = Carer.objects.filter(household=OuterRef("pk")).filter(~Q(given_name=ANONYMISED) | ~Q(family_name=ANONYMISED))
        return queryset.filter(~Q(reference=ANONYMISED) | Exists(named_carers))

    def describe(self, obj: Household) -> str:
        return _("household %(pk)s, last changed %(day)s") % {"pk": obj.pk, "day": _day(timezone.localdate(obj.modified_on))}

    def anonymise(self, pks: list[int], run: RetentionRun) -> None:
        carers = list(Carer.objects.filter(household_id__in=pks).values_list("pk", flat=True))
        consents = list(Consent.objects.filter(household_id__in=pks).values_list("pk", flat=True))
        episodes = list(Episode.objects.filter(household_id__in=pks).values_list("pk", flat=True))
        with _quietly():
            Household.objects.filter(pk__in=pks).update(**self.blank, archived_on=timezone.now(),
                                                     archived_reason=_("Anonymised at the end of its retention period"))
            Carer.objects.filter(pk__in=carers).update(**self.carer_blank)
            Consent.objects.filter(pk__in=consents).update(**self.consent_blank)
        for model, ids, blank in ((Household, pks, self.blank), (Carer, carers, self.carer_blank), (Consent, consents, self.consent_blank)):
            redact_history(model, ids, blank)
            log_retention(model, ids, run=run, kind=self, blanked=blank)
        redact_history(Episode, episodes, EpisodeRetention.blank)  # an episode's name in the log is its household's

    def delete(self, pks: list[int], run: RetentionRun) -> None:
        episodes = list(Episode.objects.filter(household_id__in=pks).values_list("pk", flat=True))
        contacts = list(Contact.objects.filter(episode_id__in=episodes).values_list("pk", flat=True))
        carers = list(Carer.objects.filter(household_id__in=pks).values_list("pk", flat=True))
        consents = list(Consent.objects.filter(household_id__in=pks).values_list("pk", flat=True))
        with _quietly():
            # Children first: consents protect their carer, episodes protect their household.
            Contact.objects.filter(pk__in=contacts).delete()
            Episode.objects.filter(pk__in=episodes).delete()
            Consent.objects.filter(pk__in=consents).delete()
            Carer.objects.filter(pk__in=carers).delete()
            Household.objects.filter(pk__in=pks).delete()
        for model, ids, blank in ((Contact, contacts, ContactRetention.blank), (Episode, episodes, EpisodeRetention.blank),
                                  (Consent, consents, self.consent_blank), (Carer, carers, self.carer_blank), (Household, pks, self.blank)):
            redact_history(model, ids, blank)
            log_retention(model, ids, run=run, kind=self)


register_kind(ContactRetention())
register_kind(EpisodeRetention())
register_kind(HouseholdRetention())


# --- The run ---------------------------------------------------------------------------------------------------------


@dataclass
class KindReport:
    kind: RetentionKind
    cutoff: datetime.date
    due: int
    holding_personal_data: int
    changed: int = 0
    lines: list[str] = field(default_factory=list)


@transaction.atomic
def retention_apply(*, mode: str = DRY_RUN, today: datetime.date | None = None,
                    periods: Mapping[str, int] | None = None) -> list[KindReport]:
    """List (``dry_run``), anonymise or delete every record past retention, kind by kind, in one transaction.

    Anonymising touches only records still holding personal details, so a second run changes nothing.
    """
    if mode not in MODES:
        raise ValueError(f"Unknown retention mode {mode!r}")
    run = RetentionRun(today=today or timezone.localdate(), mode=mode, periods=periods or retention_periods())
    reports = []
    for kind in RETENTION_KINDS.values():
        due = kind.due(run)
        pending = set(kind.holding_personal_data(due).values_list("pk", flat=True))
        records = list(due)
        report = KindReport(kind=kind, cutoff=run.cutoff(kind.setting), due=len(records), holding_personal_data=len(pending))
        targets = [r for r in records if r.pk in pending] if mode == ANONYMISE else records
        for record in targets:
            line = kind.describe(record)
            report.lines.append(line if record.pk in pending else _("%(record)s (anonymised already)") % {"record": line})
        pks = [r.pk for r in targets]
        if pks and mode == ANONYMISE:
            kind.anonymise(pks, run)
            report.changed = len(pks)
        elif pks and mode == DELETE:
            kind.delete(pks, run)
            report.changed = len(pks)
        reports.append(report)
    return reports
