"""Bilingual behaviour: language negotiation, the switch, the catalogue, localised formats."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from cymuned.core.templatetags.govuk import number

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("accept", "landing"), [("cy", "/cy/"), ("cy-GB,cy;q=0.9,en;q=0.5", "/cy/"), ("en-GB", "/en-gb/"), ("fr", "/en-gb/")]
)
def test_root_follows_accept_language(client, accept, landing):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302 and response["Location"] == landing


def test_language_switch_keeps_the_page_and_query(world, client_for):
    body = client_for("la_lead").get(f"/en-gb/organisations/schools/?cluster={world.cluster_x.pk}").content.decode()
    assert f'href="/cy/organisations/schools/?cluster={world.cluster_x.pk}"' in body
    body = client_for("la_lead").get("/cy/organisations/schools/").content.decode()
    assert 'href="/en-gb/organisations/schools/"' in body


def test_pages_are_welsh_under_cy(world, client_for):
    body = client_for("la_lead").get("/cy/dashboard/").content.decode()
    assert "Dangosfwrdd" in body
    assert "Neidio i&#x27;r prif gynnwys" in body or "Neidio i’r prif gynnwys" in body or "Neidio i'r prif gynnwys" in body


def test_welsh_catalogue_is_complete():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_translations.py"), str(ROOT / "locale/cy/LC_MESSAGES/django.po")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_numbers_follow_the_locale():
    with translation.override("en-gb"):
        assert number(1234567) == "1,234,567"
    with translation.override("cy"):
        assert number(1234.5, 1) in {"1,234.5", "1234.5"}  # Welsh uses the same marks as English


def test_welsh_plural_forms_are_used(world, client_for):
    body = client_for("la_lead").get("/cy/organisations/schools/").content.decode()
    assert "3 ysgol" in body


def test_every_source_string_is_in_the_welsh_catalogue(tmp_path):
    """Re-extract the strings from a copy of the source: a new string without Welsh fails here."""
    import shutil

    for name in ("cymuned", "templates", "config", "locale", "scripts"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_VAR_DIR": str(tmp_path / "var")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "cy", "--no-obsolete", "-v", "0"],
        cwd=tmp_path, env=env, check=True, capture_output=True,
    )
    result = subprocess.run(
        [sys.executable, "scripts/check_translations.py", "locale/cy/LC_MESSAGES/django.po"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout
