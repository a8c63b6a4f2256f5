from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cymuned.access.fields import hidden_fields
from cymuned.access.policy import visible_to
from cymuned.core.widgets import DATE_ERRORS, DateInput
from cymuned.organisations.models import School

from .models import Household, Learner, YearGroup


class LearnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or unique pupil number"), required=False, max_length=100)
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none(), required=False)
    year_group = forms.TypedChoiceField(
        label=_("Year group"),
        choices=[("", _("All year groups")), *YearGroup.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, user: Any, school_ids: frozenset[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        field.queryset = visible_to(user, School).filter(pk__in=school_ids) if school_ids else visible_to(user, School).none()  # type: ignore[attr-defined]
        field.empty_label = _("All your schools")  # type: ignore[attr-defined]
        field.label_from_instance = lambda s: s.name  # type: ignore[attr-defined]


class HouseholdForm(forms.Form):
    """A household; the safe-contact notes are left out for those who may not see them."""

    reference = forms.CharField(label=_("Name of the household"), max_length=120, help_text=_("For example: the Jones family, Heol y Nant"),
                                error_messages={"required": _("Enter a name for the household")})
    address = forms.CharField(label=_("Address"), widget=forms.Textarea, required=False, max_length=500)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    home_language = forms.CharField(label=_("Language of the home"), max_length=30, required=False)
    safe_contact_notes = forms.CharField(label=_("Safe-contact notes"), widget=forms.Textarea, required=False, max_length=2000,
                                         help_text=_("Who must not be contacted, times and ways that are not safe."))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in hidden_fields(user, Household):
            del self.fields[name]


class CarerForm(forms.ModelForm):
    class Meta:
        from .models import Carer

        model = Carer
        fields = ["given_name", "family_name", "relationship", "parental_responsibility", "preferred_language", "contact_method",
                  "telephone", "email", "is_main_contact"]
        widgets = {"relationship": forms.Select, "preferred_language": forms.RadioSelect, "contact_method": forms.Select}


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=(), error_messages={"required": _("Choose the purpose")})
    given_by = forms.ModelChoiceField(label=_("Given by"), queryset=None, error_messages={"required": _("Choose who gave consent"),
                                                                                           "invalid_choice": _("Choose someone from the list")})
    method = forms.ChoiceField(label=_("How it was given"), choices=(), widget=forms.RadioSelect,
                               error_messages={"required": _("Choose how consent was given")})
    given_on = forms.DateField(label=_("Date given"), widget=DateInput(), error_messages=DATE_ERRORS)
    evidence = forms.CharField(label=_("Where the evidence is kept (optional)"), max_length=255, required=False)

    def __init__(self, *args: Any, household: Any, **kwargs: Any) -> None:
        from .models import ConsentMethod, ConsentPurpose

        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = ConsentPurpose.choices  # type: ignore[attr-defined]
        self.fields["method"].choices = ConsentMethod.choices  # type: ignore[attr-defined]
        self.fields["given_by"].queryset = household.carers.all()  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Date withdrawn"), widget=DateInput(), error_messages=DATE_ERRORS)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=255, required=False)


class EpisodeForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none(), error_messages={"required": _("Choose the school")})
    officer = forms.ModelChoiceField(label=_("Family Engagement Officer"), queryset=None,
                                     error_messages={"required": _("Choose the officer"), "invalid_choice": _("Choose an officer from the list")})
    reasons = forms.MultipleChoiceField(label=_("Reasons"), choices=(), widget=forms.CheckboxSelectMultiple,
                                        error_messages={"required": _("Choose at least one reason")})
    goals = forms.CharField(label=_("Goals agreed with the family"), widget=forms.Textarea, max_length=5000,
                            error_messages={"required": _("Describe the goals agreed with the family")})
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput(), error_messages=DATE_ERRORS, initial=datetime.date.today)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from cymuned.access.principal import principal_for
        from cymuned.accounts.models import User
        from cymuned.accounts.roles import Role

        from .models import EpisodeReason
        from .policies import CASEWORK_ROLES

        super().__init__(*args, **kwargs)
        schools = principal_for(user).school_ids(CASEWORK_ROLES)
        self.fields["school"].queryset = School.objects.filter(pk__in=schools).order_by("name_en")  # type: ignore[attr-defined]
        self.fields["school"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        self.fields["officer"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__role=Role.FEO, memberships__is_active=True
        ).filter(Q(memberships__organisation_id__in=schools) | Q(memberships__cluster__schools__in=schools)).distinct().order_by("full_name")
        self.fields["officer"].label_from_instance = lambda u: u.full_name  # type: ignore[attr-defined]
        self.fields["reasons"].choices = EpisodeReason.choices  # type: ignore[attr-defined]


class ContactForm(forms.Form):
    happened_on = forms.DateField(label=_("Date of the contact"), widget=DateInput(), error_messages=DATE_ERRORS, initial=datetime.date.today)
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=(), widget=forms.RadioSelect, error_messages={"required": _("Choose the kind of contact")})
    duration_minutes = forms.IntegerField(label=_("Length in minutes"), min_value=1, max_value=600, initial=30,
                                          widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                          error_messages={"required": _("Enter the length in minutes"), "invalid": _("Enter a whole number of minutes"),
                                                          "min_value": _("Enter a length of at least 1 minute"), "max_value": _("Enter a length of at most 600 minutes")})
    present = forms.CharField(label=_("Who was there (optional)"), max_length=255, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, max_length=5000, required=False)
    next_steps = forms.CharField(label=_("Agreed next steps (optional)"), widget=forms.Textarea, max_length=2000, required=False)
    next_step_due = forms.DateField(label=_("Next steps due by (optional)"), widget=DateInput(), required=False, error_messages=DATE_ERRORS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import ContactKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ContactKind.choices  # type: ignore[attr-defined]


class CloseEpisodeForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput(), error_messages=DATE_ERRORS, initial=datetime.date.today)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=(), widget=forms.RadioSelect, error_messages={"required": _("Choose the outcome")})
    notes = forms.CharField(label=_("Notes on the outcome (optional)"), widget=forms.Textarea, max_length=5000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import EpisodeOutcome

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = EpisodeOutcome.choices  # type: ignore[attr-defined]


class ReassignForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("New Family Engagement Officer"), queryset=None,
                                     error_messages={"required": _("Choose the officer"), "invalid_choice": _("Choose an officer from the list")})

    def __init__(self, *args: Any, school: Any, **kwargs: Any) -> None:
        from cymuned.accounts.models import User
        from cymuned.accounts.roles import Role

        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__role=Role.FEO, memberships__is_active=True
        ).filter(Q(memberships__organisation=school) | Q(memberships__cluster__schools=school)).distinct().order_by("full_name")
        self.fields["officer"].label_from_instance = lambda u: u.full_name  # type: ignore[attr-defined]


class LearnerForm(forms.Form):
    """A new learner on a school's roll: the school is chosen from those where the user may add learners."""

    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none(),
                                    error_messages={"required": _("Choose the school"), "invalid_choice": _("Choose a school from the list")})
    upn = forms.CharField(label=_("Unique pupil number (UPN)"), max_length=20,
                          help_text=_("13 characters: a capital letter, 11 digits, then a digit or capital letter."),
                          error_messages={"required": _("Enter the unique pupil number"),
                                          "max_length": _("A unique pupil number has 13 characters")},
                          widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    given_name = forms.CharField(label=_("First name"), max_length=100, error_messages={"required": _("Enter the first name")})
    family_name = forms.CharField(label=_("Last name"), max_length=100, error_messages={"required": _("Enter the last name")})
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput(), error_messages=DATE_ERRORS)
    year_group = forms.TypedChoiceField(label=_("Year group"), choices=(), coerce=int, empty_value=None,
                                        error_messages={"required": _("Choose the year group")})
    efsm = forms.BooleanField(label=_("Eligible for free school meals"), required=False)
    additional_learning_needs = forms.BooleanField(label=_("Additional learning needs"), required=False)
    looked_after = forms.BooleanField(label=_("Looked after"), required=False)
    young_carer = forms.BooleanField(label=_("Young carer"), required=False)
    english_additional_language = forms.BooleanField(label=_("English as an additional language"), required=False)
    welsh_additional_language = forms.BooleanField(label=_("Welsh as an additional language"), required=False)
    aln_detail = forms.CharField(label=_("Additional learning needs: what they are and the support in place (optional)"),
                                 widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000,
                                 help_text=_("Seen only by the headteacher, the school's staff and the family engagement officer."))

    def __init__(self, *args: Any, schools: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in hidden_fields(user, Learner):
            del self.fields[name]
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["school"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        self.fields["year_group"].choices = [("", _("Choose the year group")), *YearGroup.choices]  # type: ignore[attr-defined]


class LinkLearnerForm(forms.Form):
    upn = forms.CharField(label=_("Unique pupil number (UPN) of the brother or sister"), max_length=20,
                          error_messages={"required": _("Enter the unique pupil number"),
                                          "max_length": _("A unique pupil number has 13 characters")},
                          widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
