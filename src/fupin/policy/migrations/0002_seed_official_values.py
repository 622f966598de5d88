"""Seed the policy tables with the official figures of DOMAIN.md (unverified ones flagged)."""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from fupin.policy.seeds import official_values

    policy_value = apps.get_model("policy", "PolicyValue")
    now = timezone.now()
    policy_value.objects.bulk_create(
        policy_value(
            name=name, year=year, province=province, version=1, value=value,
            verified=verified, source=source, created_at=now,
        )  # fmt: skip
        for name, year, province, value, verified, source in official_values()
    )


def unseed(apps, schema_editor):
    apps.get_model("policy", "PolicyValue").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_parameters")]

    operations = [migrations.RunPython(seed, unseed)]
