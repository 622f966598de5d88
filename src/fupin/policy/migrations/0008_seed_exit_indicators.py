"""Seed a typical national list of extra village exit indicators, all unverified."""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from fupin.policy.seeds import typical_exit_indicators

    indicator = apps.get_model("policy", "ExitIndicatorValue")
    now = timezone.now()
    indicator.objects.bulk_create(
        indicator(
            level=level, code=code, label=label, year=None, province="", version=1, active=True,
            verified=False, source=source, created_at=now,
        )
        for level, code, label, source in typical_exit_indicators()
    )


def unseed(apps, schema_editor):
    apps.get_model("policy", "ExitIndicatorValue").objects.filter(version=1, province="").delete()


class Migration(migrations.Migration):
    dependencies = [("policy", "0007_exit_indicators")]

    operations = [migrations.RunPython(seed, unseed)]
