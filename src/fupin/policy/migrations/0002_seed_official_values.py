"""Seed the policy tables with the official figures of DOMAIN.md (unverified ones flagged)."""

from django.db import migrations


def seed(apps, schema_editor):
    from fupin.policy.seeds import official_values, values_insert

    values_insert(apps, official_values())


def unseed(apps, schema_editor):
    from fupin.policy.seeds import official_values, values_delete

    values_delete(apps, official_values())


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_parameters")]

    operations = [migrations.RunPython(seed, unseed)]
