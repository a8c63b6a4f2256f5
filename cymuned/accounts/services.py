"""Writes about people: roles, profiles, sessions, sign-in codes and API tokens. One transaction each."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from cymuned.access.policy import Action, can, can_create
from cymuned.access.principal import forget_principal, principal_for
from cymuned.core.tasks import send_email
from cymuned.organisations.models import Cluster, Organisation, OrganisationKind

from .models import Membership, User
from .roles import ROLE_ORGANISATION_KINDS, GovernorCategory, Role

#: Roles a headteacher may give at their own school; the rest are the LA lead's to give.
HEADTEACHER_GRANTABLE = frozenset({Role.SCHOOL_STAFF, Role.FEO, Role.CSM, Role.GOVERNOR})


def _check_role_fits(*, organisation: Organisation, role: str, cluster: Cluster | None, governor_category: str) -> None:
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise ValidationError(
            {
                "role": ValidationError(
                    _("A %(role)s cannot be held at a %(kind)s.")
                    % {"role": Role(role).label, "kind": OrganisationKind(organisation.kind).label.lower()},
                    code="role_not_at_organisation",
                )
            }
        )
    if cluster is not None:
        if organisation.kind != OrganisationKind.LOCAL_AUTHORITY:
            raise ValidationError(
                {
                    "cluster": ValidationError(
                        _("Only a role held at the local authority can be narrowed to a cluster."), code="cluster_not_allowed"
                    )
                }
            )
        if cluster.local_authority_id != organisation.pk:
            raise ValidationError(
                {"cluster": ValidationError(_("Choose a cluster of this local authority."), code="cluster_other_la")}
            )
    if governor_category and role != Role.GOVERNOR:
        raise ValidationError(
            {"governor_category": ValidationError(_("Only governors have a category of governor."), code="category_not_governor")}
        )
    if role == Role.GOVERNOR and governor_category not in GovernorCategory.values:
        raise ValidationError(
            {"governor_category": ValidationError(_("Choose the category of governor."), code="category_required")}
        )


def send_invitation(*, user: User, invited_by: User) -> None:
    """Email a link to choose a password, in the invited person's language. Called after commit; the
    background worker sends it."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    with translation.override(user.preferred_language):
        path = reverse("accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": token})
        context = {"user": user, "invited_by": invited_by, "path": f"{settings.CYMUNED_BASE_URL}{path}"}
        subject = _("You have been invited to Cymuned")
        body = render_to_string("accounts/email/invitation.txt", context)
    send_email.enqueue(subject=str(subject), body=body, to=[user.email])


@transaction.atomic
def membership_grant(
    *,
    by: User,
    email: str,
    full_name: str,
    organisation: Organisation,
    role: str,
    cluster: Cluster | None = None,
    governor_category: str = "",
    job_title: str = "",
) -> Membership:
    """Give a person a role at an organisation, inviting them if they have no account yet."""
    if not can_create(by, Membership, parent=organisation):
        raise PermissionDenied
    principal = principal_for(by)
    la_of_org = organisation.local_authority_id or organisation.pk
    if la_of_org not in principal.la_ids([Role.LA_LEAD]) and role not in HEADTEACHER_GRANTABLE:
        raise ValidationError(
            {
                "role": ValidationError(
                    _("Only the local authority lead can give the role %(role)s.") % {"role": Role(role).label},
                    code="role_not_grantable",
                )
            }
        )
    _check_role_fits(organisation=organisation, role=role, cluster=cluster, governor_category=governor_category)
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    invited = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    duplicate = Membership.objects.filter(user=user, organisation=organisation, role=role, cluster=cluster)
    if duplicate.exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    _("%(email)s already holds this role at %(organisation)s.")
                    % {"email": email, "organisation": organisation.name},
                    code="duplicate_membership",
                )
            }
        )
    membership = Membership.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        cluster=cluster,
        governor_category=governor_category,
        job_title=job_title.strip(),
        created_by=by,
        modified_by=by,
    )
    if invited:
        transaction.on_commit(lambda: send_invitation(user=user, invited_by=by))
    forget_principal(user)
    return membership


@transaction.atomic
def membership_update(*, by: User, membership: Membership, job_title: str, governor_category: str) -> Membership:
    if not can(by, Action.CHANGE, membership):
        raise PermissionDenied
    _check_role_fits(
        organisation=membership.organisation,
        role=membership.role,
        cluster=membership.cluster,
        governor_category=governor_category,
    )
    membership.job_title = job_title.strip()
    membership.governor_category = governor_category
    membership.modified_by = by
    membership.save(update_fields=["job_title", "governor_category", "modified_by", "modified_on"])
    return membership


@transaction.atomic
def membership_end(*, by: User, membership: Membership) -> Membership:
    """End a role. Kept for the record, never deleted."""
    if not can(by, Action.DELETE, membership):
        raise PermissionDenied
    if membership.user_id == by.pk and membership.role == Role.LA_LEAD:
        raise ValidationError(_("You cannot end your own role as local authority lead."), code="own_lead_role")
    membership.is_active = False
    membership.modified_by = by
    membership.save(update_fields=["is_active", "modified_by", "modified_on"])
    return membership


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, preferred_language: str) -> User:
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
    return user


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> User:
    """Rotate the session stamp: every session of this user stops being valid."""
    user.session_stamp = uuid.uuid4()
    user.save(update_fields=["session_stamp"])
    Token.objects.filter(user=user).delete()
    return user


def totp_device_for_setup(*, user: User) -> TOTPDevice:
    """The unconfirmed device a user is setting up (a fresh secret each time set-up starts)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def api_token_create(*, user: User) -> Token:
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, user: User) -> int:
    deleted, _detail = Token.objects.filter(user=user).delete()
    return deleted


def requires_two_factor(user: Any) -> bool:
    from django.conf import settings

    from .roles import PERSONAL_DATA_ROLES

    if not settings.CYMUNED_REQUIRE_2FA or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or principal_for(user).has_role(*PERSONAL_DATA_ROLES)
