from django.db import migrations

# The seed's three categories, with DOMAIN.md's default limits: respond within 1
# working day, reply within 5 (河池, Xinhua 2011), extensions at most 15 in total.
CATEGORIES = [
    ("consultation", "咨询", "reply", 1),
    ("suggestion", "建议", "reply", 2),
    ("appeal", "诉求", "resolve", 3),
]


def load(apps, schema_editor):
    Category = apps.get_model("handling", "Category")
    for code, name, rule, order in CATEGORIES:
        Category.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                closure_rule=rule,
                counted_in_bulletin=True,
                response_days=1,
                reply_days=5,
                max_extension_days=15,
                order=order,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("handling", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
