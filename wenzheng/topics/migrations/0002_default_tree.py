"""Every county that exists when this runs gets the default tree (default_tree.csv);
counties made later get it from loaddemo or `manage.py import_topics --region CODE`."""

import csv
from pathlib import Path

from django.db import migrations

TREE = Path(__file__).resolve().parent.parent / "default_tree.csv"


def _parent(code):
    if code.endswith("0000"):
        return None
    return code[:2] + "0000" if code.endswith("00") else code[:4] + "00"


def _level(code):
    return 1 if code.endswith("0000") else 2 if code.endswith("00") else 3


def load(apps, schema_editor):
    Region = apps.get_model("units", "Region")
    Topic = apps.get_model("topics", "Topic")
    rows = list(csv.DictReader(TREE.read_text(encoding="utf-8").splitlines()))
    for county in Region.objects.filter(kind="county"):
        if Topic.objects.filter(region=county).exists():
            continue
        made = {}
        for row in sorted(rows, key=lambda r: (_level(r["代码"]), r["代码"])):
            code = row["代码"]
            level = _level(code)
            made[code] = Topic.objects.create(
                region=county, code=code, name=row["名称"], level=level, parent=made.get(_parent(code))
            )


class Migration(migrations.Migration):
    dependencies = [("topics", "0001_initial"), ("units", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
