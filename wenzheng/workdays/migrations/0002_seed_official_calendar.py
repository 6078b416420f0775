from django.db import migrations

from wenzheng.workdays import seed


def load(apps, schema_editor):
    seed.seed(apps.get_model("workdays", "CalendarDay"), apps.get_model("workdays", "CalendarYear"))


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
