"""A message answered once stays published: Message.answered, set on the messages a
unit's reply was made public for (those in an answered state, and those reopened
after 回访, which have a reply), and the partial indexes of public lists on the new
condition (models.PUBLISHED)."""

from django.conf import settings
from django.db import migrations, models

# models.PUBLISHED as this migration made it (both partial indexes' condition).
PUBLISHED = models.Q(
    ("answered", True),
    ("consent_to_publish", True),
    (
        "state__in",
        ["pending_dispatch", "dispatched", "responded", "transfer_requested", "replied", "closure_pending", "closed"],
    ),
)


def mark_answered(apps, schema_editor):
    Message = apps.get_model("handling", "Message")
    Reply = apps.get_model("handling", "Reply")
    db = schema_editor.connection.alias
    replied = Reply.objects.using(db).filter(message=models.OuterRef("pk"), follow_up__isnull=True)
    answered = models.Q(state__in=["replied", "closure_pending", "closed"]) | models.Exists(replied)
    Message.objects.using(db).filter(answered).update(answered=True)


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0016_extension_lapsed"),
        ("topics", "0005_decision_unit_source"),
        ("units", "0003_roster_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="message",
            name="message_published_recent",
        ),
        migrations.RemoveIndex(
            model_name="message",
            name="message_published_region",
        ),
        migrations.AddField(
            model_name="message",
            name="answered",
            field=models.BooleanField(db_default=False, default=False, verbose_name="已有公开答复"),
        ),
        migrations.RunPython(mark_answered, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=PUBLISHED,
                fields=["-submitted_at", "-id"],
                name="message_published_recent",
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=PUBLISHED,
                fields=["region", "-submitted_at", "-id"],
                name="message_published_region",
            ),
        ),
    ]
