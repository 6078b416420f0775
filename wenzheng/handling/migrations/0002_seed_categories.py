from django.db import migrations

from wenzheng.handling import defaults


def load(apps, schema_editor):
    defaults.seed(apps.get_model("handling", "Category"))


class Migration(migrations.Migration):
    dependencies = [("handling", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
