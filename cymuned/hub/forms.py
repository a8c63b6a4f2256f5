from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cymuned.access.policy import Action, visible_to
from cymuned.core.widgets import DATE_ERRORS, DateInput
from cymuned.directory.models import Service
from cymuned.families.models import Consent, Household, Learner
from cymuned.organisations.models import Organisation, Partner

from .models import LawfulBasis, Need, Outcome, Status, Urgency

CHOOSE = {"required": _("Choose an option"), "invalid_choice": _("Choose an option from the list")}


def _partners(local_authority_ids: Any) -> Any:
    return Partner.objects.filter(is_active=True, local_authority_id__in=list(local_authority_ids)).order_by("name_en")


def _services(local_authority_ids: Any) -> Any:
    """Directory services run by the LA's active partners, each labelled with its partner."""
    return (Service.objects.public().filter(organisation__in=_partners(local_authority_ids)).select_related("organisation")
            .order_by("organisation__name_en", "name_en"))


def _service_field(required_label: Any) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(label=required_label, queryset=Service.objects.none(), required=False,
                                   error_messages={"invalid_choice": _("Choose an option from the list")},
                                   empty_label=_("No particular service"),
                                   help_text=_("A service from the directory. It must be run by the partner chosen above."))
    field.label_from_instance = lambda s: f"{s.organisation.name}: {s.name}"  # type: ignore[attr-defined]
    return field


class HouseholdPickForm(forms.Form):
    household = forms.ModelChoiceField(label=_("Family"), queryset=Household.objects.none(), error_messages=CHOOSE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = visible_to(user, Household, Action.LIST).active().order_by("reference")  # type: ignore[attr-defined]


class ReferralForm(forms.Form):
    learner = forms.ModelChoiceField(label=_("Learner"), queryset=Learner.objects.none(), required=False,
                                     error_messages=CHOOSE, empty_label=_("The whole family"))
    partner = forms.ModelChoiceField(label=_("Refer to"), queryset=Partner.objects.none(), required=False, error_messages=CHOOSE,
                                     empty_label=_("The multi-agency hub (the coordinator finds the right service)"),
                                     help_text=_("Choose a partner organisation only if you know it is the right one."))
    service = _service_field(_("Service (optional)"))
    needs = forms.MultipleChoiceField(label=_("What the family needs help with"), choices=Need.choices, widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Choose at least one need")})
    urgency = forms.ChoiceField(label=_("How urgent is it?"), choices=Urgency.choices, widget=forms.RadioSelect, error_messages=CHOOSE)
    details = forms.CharField(label=_("Describe the family's situation and what help they need"), widget=forms.Textarea, max_length=4000,
                              error_messages={"required": _("Describe what help the family needs")})
    family_knows = forms.CharField(label=_("What does the family know about this referral?"), widget=forms.Textarea, max_length=2000,
                                   error_messages={"required": _("Say what the family knows about the referral")})
    family_wants = forms.CharField(label=_("What does the family want to happen?"), widget=forms.Textarea, max_length=2000,
                                   error_messages={"required": _("Say what the family wants to happen")})
    consent = forms.ModelChoiceField(label=_("The family's consent to share"), queryset=Consent.objects.none(), required=False,
                                     error_messages=CHOOSE, empty_label=_("No consent: I am recording a lawful basis below"),
                                     help_text=_("It must cover sharing with the kind of organisation you refer to."))
    lawful_basis = forms.ChoiceField(label=_("Lawful basis for sharing without consent (only if there is no consent)"),
                                     choices=[("", _("None: the family has consented")), *LawfulBasis.choices], required=False,
                                     widget=forms.RadioSelect)
    override_justification = forms.CharField(label=_("Why is the family's consent not being sought?"), widget=forms.Textarea,
                                             required=False, max_length=2000,
                                             help_text=_("The hub coordinator reviews every referral made without consent."))

    def __init__(self, *args: Any, user: Any, household: Household, local_authority_ids: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = visible_to(user, Learner).filter(household=household).order_by("given_name")  # type: ignore[attr-defined]
        self.fields["partner"].queryset = _partners(local_authority_ids)  # type: ignore[attr-defined]
        self.fields["partner"].label_from_instance = lambda p: f"{p.name} ({p.get_partner_type_display()})"  # type: ignore[attr-defined]
        self.fields["service"].queryset = _services(local_authority_ids)  # type: ignore[attr-defined]
        self.fields["consent"].queryset = household.consents.in_force().filter(purpose__startswith="share_")  # type: ignore[attr-defined]
        self.fields["consent"].label_from_instance = lambda c: f"{c.get_purpose_display()} ({c.given_on:%d/%m/%Y})"  # type: ignore[attr-defined]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Open referrals")), ("waiting", _("Waiting for the hub")), ("all", _("All")), *Status.choices])
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=[("", _("Any urgency")), *Urgency.choices])
    sla = forms.ChoiceField(label=_("Service levels"), required=False, choices=[("", _("Any")), ("breached", _("Missed"))])
    partner = forms.ModelChoiceField(label=_("Partner"), required=False, queryset=Partner.objects.none(), empty_label=_("Any partner"))
    review = forms.BooleanField(label=_("Only referrals without consent waiting for review"), required=False)

    def __init__(self, *args: Any, local_authority_ids: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = _partners(local_authority_ids)  # type: ignore[attr-defined]


class AllocateForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner organisation"), queryset=Partner.objects.none(), error_messages=CHOOSE)
    service = _service_field(_("Service (optional)"))
    note = forms.CharField(label=_("Note for the partner (optional)"), widget=forms.Textarea, required=False, max_length=2000)

    def __init__(self, *args: Any, local_authority_ids: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = _partners(local_authority_ids)  # type: ignore[attr-defined]
        self.fields["partner"].label_from_instance = lambda p: f"{p.name} ({p.get_partner_type_display()})"  # type: ignore[attr-defined]
        self.fields["service"].queryset = _services(local_authority_ids)  # type: ignore[attr-defined]


class TextForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea, max_length=4000, error_messages={"required": _("Enter the text")})


class NoteForm(TextForm):
    visible_to_partner = forms.BooleanField(label=_("The partner may see this note"), required=False, initial=True)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect, error_messages=CHOOSE)
    notes = forms.CharField(label=_("Notes on the outcome"), widget=forms.Textarea, required=False, max_length=4000)


class ServiceLevelForm(forms.Form):
    hours_to_triage = forms.IntegerField(label=_("Hours to triage"), min_value=1, max_value=720)
    days_to_first_contact = forms.IntegerField(label=_("Days to first contact"), min_value=1, max_value=365)
    days_to_outcome = forms.IntegerField(label=_("Days to outcome"), min_value=1, max_value=365)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the meeting"), widget=DateInput(), error_messages=DATE_ERRORS)
    place = forms.CharField(label=_("Where (optional)"), max_length=200, required=False)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea, required=False, max_length=10000)
    next_review_on = forms.DateField(label=_("Next review (optional)"), widget=DateInput(), required=False, error_messages=DATE_ERRORS)


class _OrganisationsMixin:
    def __init__(self, *args: Any, local_authority_ids: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        from django.db.models import Q

        ids = list(local_authority_ids)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            Q(local_authority_id__in=ids) | Q(pk__in=ids), is_active=True).order_by("kind", "name_en")


class AttendeeForm(_OrganisationsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, error_messages={"required": _("Enter the person's name")})
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False,
                                          empty_label=_("Not listed"))
    organisation_name = forms.CharField(label=_("Organisation, if not listed"), max_length=200, required=False)
    role = forms.CharField(label=_("Role at the meeting (optional)"), max_length=200, required=False)


class ActionForm(_OrganisationsMixin, forms.Form):
    description = forms.CharField(label=_("Action"), max_length=500, error_messages={"required": _("Describe the action")})
    owner_name = forms.CharField(label=_("Who will do it"), max_length=200, error_messages={"required": _("Enter who owns the action")})
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False,
                                          empty_label=_("Not listed"))
    review_on = forms.DateField(label=_("Review date"), widget=DateInput(), error_messages=DATE_ERRORS)
