"""Ship the default scheme (DOMAIN.md, "The evaluation") as version 1 of "default"."""

from decimal import Decimal

from django.db import migrations

from wenzheng.evaluation.defaults import DEFAULT


def seed(apps, schema_editor):
    Scheme = apps.get_model("evaluation", "Scheme")
    SchemeItem = apps.get_model("evaluation", "SchemeItem")
    if Scheme.objects.filter(code=DEFAULT["code"]).exists():
        return
    scheme = Scheme.objects.create(
        code=DEFAULT["code"],
        version=DEFAULT["version"],
        name=DEFAULT["name"],
        notes=DEFAULT["notes"],
        min_due=DEFAULT["min_due"],
        grades=DEFAULT["grades"],
    )
    for n, item in enumerate(DEFAULT["items"], start=1):
        SchemeItem.objects.create(
            scheme=scheme,
            key=item["key"],
            kind=item["kind"],
            label=item["label"],
            max_points=Decimal(item["max_points"]),
            params=item["params"],
            order=n,
            explanation=item["explanation"],
        )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
