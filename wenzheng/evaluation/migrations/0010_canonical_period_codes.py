"""Runs and published bulletins stored with a period as it was typed
("2026-01-01..2026-03-31" for a quarter) take the period's one code (2026Q1,
reports.periods.code_of), by which a period is now published once. A row whose
canonical code another published row of its county already holds keeps its own
(two publications of one period made before: both stay readable at their address)."""

from django.db import migrations

from wenzheng.reports import periods


def canonical(code):
    try:
        return periods.code_of(periods.parse(code))
    except periods.BadPeriod:
        return code


def recode(apps, schema_editor):
    Run = apps.get_model("evaluation", "Run")
    PublishedBulletin = apps.get_model("evaluation", "PublishedBulletin")
    for run in Run.objects.order_by("pk").iterator():
        code = periods.code_of(periods.Period(run.first_day, run.last_day, ""))
        if code == run.period_code:
            continue
        taken = Run.objects.filter(region_id=run.region_id, period_code=code, published_at__isnull=False)
        if run.published_at is not None and taken.exists():
            continue
        Run.objects.filter(pk=run.pk).update(period_code=code)
    for bulletin in PublishedBulletin.objects.order_by("pk").iterator():
        code = canonical(bulletin.period_code)
        if code == bulletin.period_code:
            continue
        if PublishedBulletin.objects.filter(region_id=bulletin.region_id, period_code=code).exists():
            continue
        PublishedBulletin.objects.filter(pk=bulletin.pk).update(period_code=code)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0009_bulletin_scheme")]

    operations = [migrations.RunPython(recode, migrations.RunPython.noop)]
