"""Red-list rewards recorded in the assistance ledger: each entry points to its ledger row,
and the entries recorded before the ledger existed get theirs here."""

from __future__ import annotations

from datetime import date
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

REWARD_PROVIDER = "村扶贫工作委员会"


def rewards_into_ledger(apps: Any, schema_editor: Any) -> None:
    """One ledger row per red-list entry without one (a village's entries are few; the
    rows are made in one bulk insert and linked in one bulk update)."""
    entry_model = apps.get_model("pairing", "RedListEntry")
    measure_model = apps.get_model("support", "Measure")
    entries = list(entry_model.objects.filter(measure__isnull=True).order_by("pk"))
    if not entries:
        return
    measures = measure_model.objects.bulk_create(
        [
            measure_model(
                household_id=entry.household_id, year=entry.year,
                given_on=min(entry.listed_on, date(entry.year, 12, 31)), measure_type="other",
                description=f"红榜奖励（{entry.month}月）：{entry.reward}"[:200],
                form="money" if entry.reward_kind == "cash" else "in_kind",
                value=entry.amount, provider_kind="village", provider_name=REWARD_PROVIDER,
                recorded_at=entry.recorded_at, recorded_by_id=entry.recorded_by_id,
            )
            for entry in entries
        ]
    )  # fmt: skip
    for entry, measure in zip(entries, measures, strict=True):
        entry.measure_id = measure.pk
    entry_model.objects.bulk_update(entries, ["measure"])


class Migration(migrations.Migration):
    dependencies = [
        ("pairing", "0004_committees"),
        ("support", "0001_measures"),
    ]

    operations = [
        migrations.AddField(
            model_name="redlistentry",
            name="measure",
            field=models.OneToOneField(
                blank=True,
                help_text="the reward's row in the assistance ledger",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="red_list_entry",
                to="support.measure",
            ),
        ),
        migrations.RunPython(rewards_into_ledger, migrations.RunPython.noop),
    ]
