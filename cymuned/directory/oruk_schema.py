"""The pinned Open Referral UK 3.0 JSON schemas (``schemas/``), loaded once, and validators for them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parent / "schemas"
BASE = "https://cymuned.cymru/schemas/oruk/3.0/"


@cache
def registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one schema by file name without ``.json``: service, service_page, taxonomy_term, ..."""
    schema = registry()[BASE + f"{name}.json"].contents
    return Draft202012Validator(schema, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)
