"""Sign-in, two-factor, throttling, sessions, profile and password reset."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def post_sign_in(client: Client, email: str, password: str = PASSWORD, **extra: str):
    return client.post("/en-gb/accounts/sign-in/", {"username": email, "password": password, **extra}, REMOTE_ADDR="10.0.0.1")


def test_staff_sign_in_needs_a_code_before_anything_else(world):
    client = Client()
    response = post_sign_in(client, "headteacher@example.org")
    assert response.status_code == 302
    assert "/accounts/two-factor/" in response["Location"]
    # Until the code is given, staff pages send the user back to the code page.
    response = client.get("/en-gb/families/learners/")
    assert response.status_code == 302 and "two-factor" in response["Location"]
    assert client.get("/api/v1/schools/").status_code == 403
    device = TOTPDevice.objects.get(user=world.user("headteacher"))
    response = client.post("/en-gb/accounts/two-factor/", {"token": code_for(device)})
    assert response.status_code == 302
    assert client.get("/en-gb/families/learners/").status_code == 200


def test_a_used_code_is_refused_the_second_time(world):
    device = TOTPDevice.objects.get(user=world.user("school_staff"))
    code = code_for(device)
    first = Client()
    post_sign_in(first, "school_staff@example.org")
    assert first.post("/en-gb/accounts/two-factor/", {"token": code}).status_code == 302
    second = Client()
    post_sign_in(second, "school_staff@example.org")
    response = second.post("/en-gb/accounts/two-factor/", {"token": code})
    assert response.status_code == 200
    assert "has been used already" in response.content.decode()


def test_staff_without_a_device_must_set_one_up(world):
    user = world.user("csm")
    TOTPDevice.objects.filter(user=user).delete()
    client = Client()
    response = post_sign_in(client, user.email)
    assert "/two-factor/set-up/" in response["Location"]
    page = client.get("/en-gb/accounts/two-factor/set-up/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post("/en-gb/accounts/two-factor/set-up/", {"token": "000000"}).status_code == 200
    time.sleep(1.1)  # django-otp throttles tries after a wrong code (1 s, doubling)
    response = client.post("/en-gb/accounts/two-factor/set-up/", {"token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_governor_and_public_sign_in_without_a_code(world):
    for email in ("governor@example.org", "parent@example.org"):
        client = Client()
        response = post_sign_in(client, email)
        assert response.status_code == 302 and "/dashboard/" in response["Location"]


def test_sign_in_opens_in_preferred_language(world):
    user = world.user("governor")
    user.preferred_language = "cy"
    user.save()
    response = post_sign_in(Client(), user.email)
    assert response["Location"].startswith("/cy/")


def test_wrong_password_gives_a_clear_error_and_no_session(world):
    client = Client()
    response = post_sign_in(client, "governor@example.org", "wrong password")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttling_locks_the_account_from_that_address_only(world):
    attacker = Client()
    for _ in range(5):
        post_sign_in(attacker, "governor@example.org", "guess")
    locked = post_sign_in(attacker, "governor@example.org", PASSWORD)
    assert locked.status_code == 429
    # The real user, elsewhere, still signs in.
    elsewhere = Client()
    response = elsewhere.post(
        "/en-gb/accounts/sign-in/", {"username": "governor@example.org", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 302


def test_sign_out_everywhere_ends_other_sessions_and_tokens(world):
    user = world.user("governor")
    other = sign_in(Client(), user)
    me = sign_in(Client(), user)
    Token.objects.create(user=user)
    assert me.post("/en-gb/accounts/profile/sign-out-everywhere/").status_code == 302
    assert other.get("/en-gb/dashboard/").status_code == 302  # sent to sign in
    assert me.get("/en-gb/dashboard/").status_code == 200
    assert not Token.objects.filter(user=user).exists()


def test_deactivated_user_is_refused_on_next_request(world):
    user = world.user("governor")
    client = sign_in(Client(), user)
    user.is_active = False
    user.save()
    assert client.get("/en-gb/dashboard/").status_code == 302


def test_sign_out_needs_post(world):
    client = sign_in(Client(), world.user("governor"))
    assert client.get("/en-gb/accounts/sign-out/").status_code == 405
    assert client.post("/en-gb/accounts/sign-out/").status_code == 302
    assert client.get("/en-gb/dashboard/").status_code == 302


def test_profile_saves_language_and_redirects_to_it(world):
    client = sign_in(Client(), world.user("governor"))
    response = client.post("/en-gb/accounts/profile/", {"full_name": "Gareth W", "preferred_language": "cy"})
    assert response.status_code == 302 and response["Location"] == "/cy/accounts/profile/"
    world.user("governor").refresh_from_db()
    assert world.user("governor").preferred_language == "cy"
    bad = client.post("/en-gb/accounts/profile/", {"full_name": "", "preferred_language": "fr"})
    assert bad.status_code == 200
    assert "Enter your full name" in bad.content.decode()


def test_api_token_create_and_revoke(world):
    user = world.user("la_officer")
    client = sign_in(Client(), user)
    client.post("/en-gb/accounts/profile/api-token/", {"action": "create"})
    token = Token.objects.get(user=user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/schools/").status_code == 200
    client.post("/en-gb/accounts/profile/api-token/", {"action": "revoke"})
    assert api.get("/api/v1/schools/").status_code in (401, 403)


def test_password_reset_sends_a_working_link_in_the_users_language(world):
    user = world.user("governor")
    user.preferred_language = "cy"
    user.save()
    response = Client().post("/cy/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/password/reset/" in line).split("testserver")[-1]
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a much better passphrase 42", "new_password2": "a much better passphrase 42"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a much better passphrase 42")


def test_password_reset_for_unknown_email_reveals_nothing(world):
    response = Client().post("/en-gb/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_open_redirect_after_sign_in_is_refused(world):
    response = post_sign_in(Client(), "governor@example.org", next="https://evil.example.com/")
    assert "evil.example.com" not in response["Location"]
