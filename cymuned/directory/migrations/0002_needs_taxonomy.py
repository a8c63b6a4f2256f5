"""Seed the bilingual needs taxonomy the public directory searches by (ids derived from codes)."""

from django.db import migrations


def seed(apps, schema_editor):
    from cymuned.directory.taxonomy import ensure_needs_taxonomy

    ensure_needs_taxonomy(apps.get_model("directory", "Taxonomy"), apps.get_model("directory", "TaxonomyTerm"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
