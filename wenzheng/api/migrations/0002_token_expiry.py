"""API tokens expire (settings.API_TOKEN_DAYS after their creation). Tokens made
before: their creation plus those days, and at least 30 days from the upgrade, so
that a county's integrations are not cut off the day it upgrades."""

import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def set_expiry(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    floor = timezone.now() + dt.timedelta(days=30)
    for token in ApiToken.objects.filter(expires_at__isnull=True).iterator():
        token.expires_at = max(token.created_at + dt.timedelta(days=settings.API_TOKEN_DAYS), floor)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken", name="expires_at", field=models.DateTimeField("有效期至", null=True)
        ),
        migrations.RunPython(set_expiry, migrations.RunPython.noop),
        migrations.AlterField(model_name="apitoken", name="expires_at", field=models.DateTimeField("有效期至")),
    ]
