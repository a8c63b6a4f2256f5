"""The load test's world: accounts for every simulated person, the slots hirers will ask for, and the checks afterwards.

Imported by bench/load/run.py after django.setup(). Everything here writes straight through the ORM: this is fixture
data for a throwaway database, not a user action, so it need not go through the services.

Each simulated staff member gets an account and an authenticator device of their own, because a TOTP code is accepted
once per 30-second step per device: two simulated people sharing the demo FEO's account would refuse each other's
codes. The accounts copy the memberships of the demo accounts they stand in for (cymuned/core/demo/borough.py).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from cymuned.accounts.models import Membership, User
from cymuned.core.demo.borough import DEMO_DOMAIN, DEMO_LA_CODE
from cymuned.families.models import ConsentPurpose, Episode
from cymuned.families.services import consent_in_force
from cymuned.organisations.models import LocalAuthority
from cymuned.premises.availability import conflicts, free_slots_by_space, local_slot
from cymuned.premises.models import HOLDING, Booking, BookingSeries, Hirer, Space
from cymuned.programmes.selectors import public_programmes

LOAD_DOMAIN = "load.cymuned.test"
#: One password for every load account, hashed once (PBKDF2 with Django's full iteration count, as in production):
#: signing in costs the server what it costs in real life, creating 200 accounts does not cost 200 hashes.
LOAD_PASSWORD = "Load-test-only-2026!"
#: Demo accounts whose memberships the load accounts copy, by the simulated role.
STAFF_TEMPLATES = {
    "la_lead": f"lead@{DEMO_DOMAIN}",
    "la_officer": f"officer@{DEMO_DOMAIN}",
    "hub_coordinator": f"hub@{DEMO_DOMAIN}",
    "headteacher": f"head@{DEMO_DOMAIN}",
    "school_staff": f"staff@{DEMO_DOMAIN}",
    "feo": f"feo@{DEMO_DOMAIN}",
    "csm": f"csm@{DEMO_DOMAIN}",
}
#: How long each requested booking lasts (the demo rate cards ask for at least an hour).
SLOT_MINUTES = 60


def _account(email: str, *, password_hash: str, full_name: str, language: str) -> User:
    user, _created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    user.password = password_hash
    user.full_name = full_name
    user.preferred_language = language
    user.is_active = True
    user.save()
    return user


def _staff(role: str, count: int, *, password_hash: str) -> list[dict[str, Any]]:
    template = Membership.objects.get(user__email=STAFF_TEMPLATES[role], role=role, is_active=True)
    people = []
    for n in range(1, count + 1):
        language = "cy" if n % 4 == 0 else "en-gb"  # a quarter of staff work in Welsh
        user = _account(f"load-{role.replace('_', '-')}-{n:02d}@{LOAD_DOMAIN}", password_hash=password_hash,
                        full_name=f"Load {role} {n}", language=language)
        Membership.objects.filter(user=user).delete()
        Membership.objects.create(user=user, organisation_id=template.organisation_id, role=role, cluster_id=template.cluster_id,
                                  job_title=template.job_title)
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="Load test authenticator", confirmed=True)  # a random key of its own
        people.append({"email": user.email, "role": role, "language": language, "totp_key": device.key, "user_id": user.pk})
    return people


def _hirers(count: int, *, password_hash: str, local_authority: LocalAuthority, today: datetime.date) -> list[dict[str, Any]]:
    people = []
    for n in range(1, count + 1):
        language = "cy" if n % 4 == 0 else "en-gb"
        user = _account(f"load-hirer-{n:02d}@{LOAD_DOMAIN}", password_hash=password_hash, full_name=f"Load hirer {n}",
                        language=language)
        Membership.objects.filter(user=user).delete()
        Hirer.objects.update_or_create(user=user, defaults={
            "local_authority": local_authority, "kind": "community_group", "organisation_name": f"Load test group {n}",
            "insurance_provider": "Load Mutual", "insurance_expires_on": today + datetime.timedelta(days=365),
            "safeguarding_declared_on": today - datetime.timedelta(days=30),
        })
        people.append({"email": user.email, "language": language, "user_id": user.pk})
    return people


def _free_slots(spaces: list[Space], *, today: datetime.date, weeks: range) -> list[dict[str, Any]]:
    """Hour-long slots that are free and bookable right now (open, caretaker on site, no closure, in the future)."""
    found = []
    monday = today - datetime.timedelta(days=today.weekday())
    for week in weeks:
        start = monday + datetime.timedelta(weeks=week)
        for space in spaces:
            for opens, closes in free_slots_by_space(spaces=[space], week_start=start)[space.pk]:
                at = timezone.localtime(opens)
                end = timezone.localtime(closes)
                while at + datetime.timedelta(minutes=SLOT_MINUTES) <= end:
                    slot = local_slot(at.date(), at.time(), (at + datetime.timedelta(minutes=SLOT_MINUTES)).time())
                    if not conflicts(space=space, slots=[slot]):
                        found.append({"space": space.pk, "day": at.date().isoformat(), "starts": f"{at:%H:%M}",
                                      "ends": f"{at + datetime.timedelta(minutes=SLOT_MINUTES):%H:%M}",
                                      "week": start.isoformat()})
                    at += datetime.timedelta(minutes=SLOT_MINUTES)
    return found


#: The application's own words when it refuses as it should, which the locustfile counts as expected conflicts, by kind:
#: the booking service finding the slot taken, or the exclusion constraint catching what the service could not see.
REFUSALS = {
    "taken": {"slot taken (service check)": "the space is already booked at this time",
              "slot taken (exclusion constraint)": "Someone booked one of these times a moment ago. Choose another time."},
    "decided": {"already decided by another manager": "This request has already been decided."},
}


def _refusals() -> dict[str, dict[str, list[str]]]:
    """Each refusal in English and Welsh, as the pages show them."""
    found: dict[str, dict[str, list[str]]] = {}
    for group, kinds in REFUSALS.items():
        for kind, message in kinds.items():
            for language in ("en-gb", "cy"):
                with translation.override(language):
                    found.setdefault(group, {}).setdefault(kind, []).append(gettext(message))
    return found


@transaction.atomic
def prepare(*, mix: dict[str, int], seed: int = 2026) -> dict[str, Any]:
    """Create the load accounts for ``mix`` (simulated people per kind) and return the plan the locustfile follows."""
    rng = random.Random(seed)
    today = timezone.localdate()
    local_authority = LocalAuthority.objects.get(code=DEMO_LA_CODE)
    password_hash = make_password(LOAD_PASSWORD)
    staff_roles = ["la_lead", "la_officer", "hub_coordinator", "headteacher", "school_staff"]
    staff = [p for role in staff_roles for p in _staff(role, -(-mix["staff"] // len(staff_roles)), password_hash=password_hash)]
    rng.shuffle(staff)
    feos = _staff("feo", mix["feo"], password_hash=password_hash)
    managers = _staff("csm", mix["lettings_manager"], password_hash=password_hash)
    hirers = _hirers(mix["burst_hirer"] + mix["hirer"], password_hash=password_hash, local_authority=local_authority, today=today)

    # The demo FEO's open episodes, shared out among the simulated FEOs (an FEO may log contacts on their own episodes only).
    demo_feo = User.objects.get(email=STAFF_TEMPLATES["feo"])
    open_episodes = [e for e in Episode.objects.filter(officer__email__in=[demo_feo.email, *(f["email"] for f in feos)],
                                                       closed_on__isnull=True).select_related("household").order_by("pk")
                     if consent_in_force(household=e.household, purpose=ConsentPurpose.FEO_CONTACT, on=today)]
    if feos and not open_episodes:
        raise RuntimeError("The demo borough has no open episode with consent to contact: nothing for the FEOs to log.")
    for index, episode in enumerate(open_episodes):
        feo = feos[index % len(feos)] if feos else None
        if feo is not None:
            Episode.objects.filter(pk=episode.pk).update(officer_id=feo["user_id"])
            feo.setdefault("episodes", []).append(episode.pk)

    spaces = list(Space.objects.public().with_related().filter(school__local_authority=local_authority).order_by("pk"))
    # From next week on, so that no slot passes during the run; a fortnight of evenings and Saturdays in every space.
    slots = _free_slots(spaces, today=today, weeks=range(2, 4))
    if len(slots) < 10:
        raise RuntimeError(f"Only {len(slots)} free slots found in the demo spaces: the booking users would have nothing to ask for.")
    # The contested slot: an evening in the demo community school manager's main hall, so the managers see the winner.
    home = spaces[0].school_id
    contested = next(s for s in slots if s["space"] == spaces[0].pk and s["starts"] >= "18:00")
    others = [s for s in slots if s != contested]
    rng.shuffle(others)
    return {
        "mix": mix,
        "password": LOAD_PASSWORD,
        "staff": staff,
        "feo": feos,
        "lettings_manager": managers,
        "hirers": hirers,
        "contested": contested,
        "slots": others,
        "spaces": [{"id": s.pk, "kind": s.kind, "capacity": s.capacity, "home": s.school_id == home} for s in spaces],
        "programmes": list(public_programmes().values_list("pk", flat=True)),
        # Only these show a sign-up button on their page (the others' sign-up URL shows a form that then refuses).
        "sign_up_programmes": list(public_programmes().filter(public_sign_up=True).values_list("pk", flat=True)),
        "weeks": sorted({s["week"] for s in slots}),
        "today": today.isoformat(),
        "refusals": _refusals(),
    }


OVERLAP_SQL = """
SELECT a.id, b.id, a.space_id, a.status, b.status, a.starts_at, a.ends_at, b.starts_at, b.ends_at
FROM premises_booking a
JOIN premises_booking b ON b.space_id = a.space_id AND b.id > a.id
     AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
WHERE a.status = ANY(%s) AND b.status = ANY(%s)
"""


def check(plan: dict[str, Any]) -> dict[str, Any]:
    """What the database says after the run: overlaps (none allowed), and who holds the contested slot."""
    holding = [str(s) for s in HOLDING]
    with connection.cursor() as cursor:
        cursor.execute(OVERLAP_SQL, [holding, holding])
        overlaps = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM premises_booking WHERE status = ANY(%s)", [holding])
        (holding_total,) = cursor.fetchone()
    contested = plan["contested"]
    slot = local_slot(datetime.date.fromisoformat(contested["day"]), datetime.time.fromisoformat(contested["starts"]),
                      datetime.time.fromisoformat(contested["ends"]))
    winners = list(Booking.objects.holding().filter(space_id=contested["space"], starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)
                   .values_list("series__hirer__user__email", flat=True))
    load_series = BookingSeries.objects.filter(hirer__user__email__endswith=f"@{LOAD_DOMAIN}")
    return {
        "overlaps": [list(map(str, row)) for row in overlaps],
        "holding_bookings": holding_total,
        "contested_holders": winners,
        "load_requests": load_series.count(),
        "load_requests_approved": load_series.filter(status="approved").count(),
    }
