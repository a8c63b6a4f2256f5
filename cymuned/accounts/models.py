"""People who sign in, and the roles they hold at organisations."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel
from cymuned.organisations.models import Cluster, Organisation

from .roles import GovernorCategory, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address.

    Staff get their powers only from memberships; a user with none is a member
    of the public (a parent, a hirer of a school space).
    """

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(_("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en-gb")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    session_stamp = models.UUIDField(default=uuid.uuid4, editable=False)
    is_demo = models.BooleanField(default=False, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Sessions are bound to the password *and* a stamp that "sign out
        # everywhere" rotates, so Django drops every other session at once.
        key_salt = "cymuned.accounts.User.session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.session_stamp}", secret=secret, algorithm="sha256").hexdigest()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> MembershipQuerySet:
        return self.filter(is_active=True)

    def with_related(self) -> MembershipQuerySet:
        return self.select_related("user", "organisation", "cluster")


class Membership(TimeStampedModel):
    """A role that a user holds at an organisation.

    ``cluster`` narrows an LA-held role (an FEO or community school manager
    employed by the LA, an officer for one cluster) to that cluster's schools.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text=_("Only for roles held at the local authority that serve one cluster."),
    )
    governor_category = models.CharField(_("category of governor"), max_length=30, choices=GovernorCategory.choices, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name_en", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=models.Q(cluster__isnull=True),
                name="membership_unique_role_at_organisation",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role", "cluster"],
                condition=models.Q(cluster__isnull=False),
                name="membership_unique_role_for_cluster",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"
