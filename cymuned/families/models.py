"""Learners: the first personal records in Cymuned.

The foundation holds the facts every domain needs about a learner; the
families domain adds households, consent and casework on top.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import ArchivableModel, ArchivableQuerySet, TimeStampedModel
from cymuned.organisations.models import School

#: A unique pupil number: a check letter and 12 digits, or a temporary one ending in a letter.
upn_validator = RegexValidator(
    r"^[A-Z]\d{11}[0-9A-Z]$",
    _("Enter a unique pupil number of 13 characters: a capital letter, 11 digits, then a digit or capital letter."),
)


class YearGroup(models.IntegerChoices):
    NURSERY = -1, _("Nursery")
    RECEPTION = 0, _("Reception")
    Y1 = 1, _("Year 1")
    Y2 = 2, _("Year 2")
    Y3 = 3, _("Year 3")
    Y4 = 4, _("Year 4")
    Y5 = 5, _("Year 5")
    Y6 = 6, _("Year 6")
    Y7 = 7, _("Year 7")
    Y8 = 8, _("Year 8")
    Y9 = 9, _("Year 9")
    Y10 = 10, _("Year 10")
    Y11 = 11, _("Year 11")
    Y12 = 12, _("Year 12")
    Y13 = 13, _("Year 13")


class LearnerQuerySet(ArchivableQuerySet):
    def with_related(self) -> LearnerQuerySet:
        return self.select_related("school", "school__cluster")


class Learner(TimeStampedModel, ArchivableModel):
    """A child or young person on a school's roll. A personal record: reads are audited."""

    is_personal_record = True

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="learners")
    upn = models.CharField(_("unique pupil number"), max_length=13, unique=True, validators=[upn_validator])
    given_name = models.CharField(_("first name"), max_length=100)
    family_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    year_group = models.SmallIntegerField(_("year group"), choices=YearGroup.choices)
    efsm = models.BooleanField(_("eligible for free school meals"), default=False)
    additional_learning_needs = models.BooleanField(_("additional learning needs"), default=False)
    looked_after = models.BooleanField(_("looked after"), default=False)
    young_carer = models.BooleanField(_("young carer"), default=False)
    english_additional_language = models.BooleanField(_("English as an additional language"), default=False)
    welsh_additional_language = models.BooleanField(_("Welsh as an additional language"), default=False)

    objects = LearnerQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("learner")
        verbose_name_plural = _("learners")
        indexes = [models.Index(fields=["school", "year_group"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
