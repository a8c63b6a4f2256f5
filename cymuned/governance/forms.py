from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cymuned.core.widgets import DATE_ERRORS, DateInput
from cymuned.organisations.models import PartnerType

from .models import EngagementAudience, MeetingKind, MemorandumOfUnderstanding, MouStatus


class MemorandumForm(forms.ModelForm):
    class Meta:
        model = MemorandumOfUnderstanding
        fields = ["title", "parties", "clusters", "purpose", "commitments", "data_sharing", "starts_on", "review_on", "ends_on", "status"]
        widgets = {"parties": forms.CheckboxSelectMultiple, "clusters": forms.CheckboxSelectMultiple, "status": forms.RadioSelect,
                   "starts_on": DateInput(), "review_on": DateInput(), "ends_on": DateInput()}
        error_messages = {"title": {"required": _("Enter a title")}, "purpose": {"required": _("Enter the purpose")},
                          "commitments": {"required": _("Enter what each party commits to")},
                          "parties": {"required": _("Choose the parties")},
                          "starts_on": {**DATE_ERRORS, "required": _("Enter the start date")},
                          "review_on": {**DATE_ERRORS, "required": _("Enter the review date")}, "ends_on": DATE_ERRORS}

    def __init__(self, *args: Any, organisations: Any, clusters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["parties"].label_from_instance = lambda o: f"{o.name} ({o.get_kind_display()})"  # type: ignore[attr-defined]
        self.fields["clusters"].queryset = clusters  # type: ignore[attr-defined]
        self.fields["clusters"].label_from_instance = lambda c: c.name  # type: ignore[attr-defined]


class MemorandumFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *MouStatus.choices])
    partner_type = forms.ChoiceField(label=_("Type of partner"), required=False, choices=[("", _("Any partner")), *PartnerType.choices])
    review_due = forms.BooleanField(label=_("Due for review within 3 months"), required=False)


class SignatoryForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=None,
                                          error_messages={"required": _("Choose the organisation they sign for")})
    name = forms.CharField(label=_("Name"), max_length=150, error_messages={"required": _("Enter their name")})
    position = forms.CharField(label=_("Position"), max_length=150, error_messages={"required": _("Enter their position")})
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DateInput(), error_messages=DATE_ERRORS,
                                help_text=_("Leave empty until it is signed."))

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["organisation"].label_from_instance = lambda o: o.name  # type: ignore[attr-defined]


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput(), error_messages={**DATE_ERRORS, "required": _("Enter the date")})
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Choose training or network meeting")})
    topic = forms.CharField(label=_("Topic"), max_length=200, error_messages={"required": _("Enter the topic")})
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class AttendanceForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(label=_("Governors who attended"), queryset=None, required=False,
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, governors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = governors  # type: ignore[attr-defined]
        self.fields["attendees"].label_from_instance = (  # type: ignore[attr-defined]
            lambda m: f"{m.user.full_name} – {m.organisation.name}")


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, error_messages={"required": _("Enter a title")})
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("File"), required=False, help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG, up to 10 MB."))
    url = forms.URLField(label=_("Or a web address"), required=False, assume_scheme="https", error_messages={"invalid": _("Enter a web address, for example https://www.example.org")})


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, error_messages={"required": _("Enter a title")})
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
                           error_messages={"required": _("Enter your message"), "max_length": _("Keep the message to 5,000 characters or fewer")})


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": _("Enter your reply"), "max_length": _("Keep the reply to 5,000 characters or fewer")})


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for hiding"), max_length=300, error_messages={"required": _("Give a reason for hiding it")})


class EngagementForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput(), error_messages={**DATE_ERRORS, "required": _("Enter the date")})
    audience = forms.ChoiceField(label=_("Audience"), choices=EngagementAudience.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("Choose the audience")})
    title = forms.CharField(label=_("Title"), max_length=200, error_messages={"required": _("Enter a title")})
    summary = forms.CharField(label=_("What was discussed"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    outcomes = forms.CharField(label=_("Outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class PaperForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, error_messages={"required": _("Enter a title")})
    file = forms.FileField(label=_("File"), error_messages={"required": _("Select a file")},
                           help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG, up to 10 MB."))


class ProfileForm(forms.Form):
    codes = forms.CharField(label=_("Catchment small areas (LSOA codes)"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("The codes of the small areas the school serves, separated by commas or new lines, for example W01001290."))
    notes = forms.CharField(label=_("About the community"), required=False, widget=forms.Textarea(attrs={"rows": 5}))


class ProfileCreateForm(ProfileForm):
    school = forms.ModelChoiceField(label=_("School"), queryset=None, required=False)
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=None, required=False)
    field_order = ["school", "cluster", "codes", "notes"]

    def __init__(self, *args: Any, schools: Any, clusters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = clusters  # type: ignore[attr-defined]
        for name in ("school", "cluster"):
            self.fields[name].label_from_instance = lambda o: o.name  # type: ignore[attr-defined]
            self.fields[name].empty_label = _("None")  # type: ignore[attr-defined]


class WimdImportForm(forms.Form):
    name = forms.CharField(label=_("Edition"), max_length=60, initial="WIMD 2019", error_messages={"required": _("Enter the edition")})
    areas_in_wales = forms.IntegerField(label=_("Small areas in Wales"), initial=1909, min_value=1, max_value=10000,
                                        help_text=_("1,909 for WIMD 2019."),
                                        error_messages={"required": _("Enter the number of small areas"), "invalid": _("Enter a whole number")})
    file = forms.FileField(label=_("WIMD ranks file (CSV)"), error_messages={"required": _("Select the CSV file")},
                           help_text=_("The published index and domain ranks by small area, saved as CSV."))
    is_synthetic = forms.BooleanField(label=_("This is synthetic data for a demonstration"), required=False)
