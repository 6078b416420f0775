"""Migration api 0002: tokens made before expiry was kept get their creation plus
API_TOKEN_DAYS, and at least 30 days from the upgrade."""

import datetime as dt

from django.utils import timezone

from wenzheng.testing import Cast, ChainTransactionTestCase
from wenzheng.topics.tests.test_migrations import leaves, migrate

BEFORE = [("api", "0001_initial")]


class TokenExpiryMigrationTest(ChainTransactionTestCase):
    def tearDown(self):
        migrate(leaves())
        super().tearDown()

    def test_tokens_made_before_expire_in_their_time_but_not_at_once(self):
        c = Cast()
        apps = migrate(BEFORE)
        ApiToken = apps.get_model("api", "ApiToken")
        now = timezone.now()
        made = {}
        for prefix, age in (("aaaaaaa1", 10), ("aaaaaaa2", 400)):
            made[prefix] = now - dt.timedelta(days=age)
            ApiToken.objects.create(
                user_id=c.handler_a.pk, name="对接", prefix=prefix, digest=prefix * 8, created_at=made[prefix]
            )
        apps = migrate(leaves())
        expiry = dict(apps.get_model("api", "ApiToken").objects.values_list("prefix", "expires_at"))
        self.assertEqual(expiry["aaaaaaa1"], made["aaaaaaa1"] + dt.timedelta(days=180))
        # Made 400 days ago: not cut off the day of the upgrade.
        self.assertGreater(expiry["aaaaaaa2"], now + dt.timedelta(days=29))
