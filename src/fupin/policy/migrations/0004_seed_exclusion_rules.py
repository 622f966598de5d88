"""Seed the typical exclusion rules of DOMAIN.md 1.4 as national rows, all unverified."""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from fupin.policy.seeds import typical_exclusion_rules

    rule = apps.get_model("policy", "ExclusionRuleValue")
    now = timezone.now()
    rule.objects.bulk_create(
        rule(
            code=code, fact=fact, year=None, province="", version=1, active=True,
            verified=False, source=source, created_at=now,
        )  # fmt: skip
        for code, fact, source in typical_exclusion_rules()
    )


def unseed(apps, schema_editor):
    from fupin.policy.seeds import typical_exclusion_rules

    codes = [code for code, _, _ in typical_exclusion_rules()]
    apps.get_model("policy", "ExclusionRuleValue").objects.filter(
        code__in=codes, year=None, province="", version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("policy", "0003_exclusion_rules")]

    operations = [migrations.RunPython(seed, unseed)]
