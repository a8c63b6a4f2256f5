"""The Cymuned needs taxonomy: a small bilingual vocabulary of the needs people look for help with.

Ids are derived from the codes (``uuid5``), so every database, the seeding migration, the demo and
imported feeds agree on them, and the ORUK API publishes the same ``taxonomy_term.id`` everywhere.
The Welsh names are data (stored in ``name_cy``), not interface strings.
"""

from __future__ import annotations

import uuid

NEEDS_VOCABULARY = "cymuned-needs"
NEEDS_NAMESPACE = uuid.UUID("0b7c6f55-8a59-4f0e-9b51-6e6565647321")
NEEDS_TAXONOMY_ID = uuid.uuid5(NEEDS_NAMESPACE, "taxonomy")
NEEDS_TAXONOMY = {
    "name_en": "Cymuned needs",
    "name_cy": "Anghenion Cymuned",
    "description_en": "The needs families and community members look for help with.",
    "description_cy": "Yr anghenion y mae teuluoedd ac aelodau'r gymuned yn chwilio am help gyda nhw.",
    "version": "1.0",
}

#: code -> (English, Welsh)
NEEDS: dict[str, tuple[str, str]] = {
    "housing": ("Housing", "Tai"),
    "debt-money": ("Debt and money advice", "Cyngor ar ddyled ac arian"),
    "food": ("Food", "Bwyd"),
    "parenting": ("Parenting support", "Cymorth rhianta"),
    "mental-health": ("Mental health and wellbeing", "Iechyd meddwl a lles"),
    "youth": ("Youth services", "Gwasanaethau ieuenctid"),
    "adult-learning": ("Adult learning", "Dysgu oedolion"),
    "childcare": ("Childcare", "Gofal plant"),
    "domestic-abuse": ("Domestic abuse", "Cam-drin domestig"),
    "substance-misuse": ("Substance misuse", "Camddefnyddio sylweddau"),
    "employment": ("Employment and skills", "Cyflogaeth a sgiliau"),
    "physical-health": ("Physical health", "Iechyd corfforol"),
    "disability": ("Disability and additional learning needs", "Anabledd ac anghenion dysgu ychwanegol"),
    "welsh-language": ("Welsh language", "Y Gymraeg"),
    "energy": ("Energy and warmth", "Ynni a chynhesrwydd"),
}


def term_id(code: str) -> uuid.UUID:
    return uuid.uuid5(NEEDS_NAMESPACE, f"term:{code}")


def ensure_needs_taxonomy(Taxonomy, TaxonomyTerm) -> None:  # noqa: N803 - model classes, also historical ones in migrations
    """Create or refresh the needs taxonomy (idempotent)."""
    Taxonomy.objects.update_or_create(id=NEEDS_TAXONOMY_ID, defaults={"vocabulary": NEEDS_VOCABULARY, **NEEDS_TAXONOMY})
    for code, (en, cy) in NEEDS.items():
        TaxonomyTerm.objects.update_or_create(
            id=term_id(code), defaults={"taxonomy_id": NEEDS_TAXONOMY_ID, "code": code, "name_en": en, "name_cy": cy}
        )
