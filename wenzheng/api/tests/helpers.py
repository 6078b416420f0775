from wenzheng.api.models import ApiToken
from wenzheng.testing import ROLES, CastTestCase


class ApiTestCase(CastTestCase):
    """The cast, each with an API token (anonymous has none)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tokens = {
            role: ApiToken.issue(user=getattr(cls.cast, role), name="测试")[1] for role in ROLES if role != "anonymous"
        }

    def headers(self, role):
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role != "anonymous" else {}

    def get(self, role, path, **query):
        return self.client.get(path, query, headers=self.headers(role))

    def post(self, role, path, data=None):
        return self.client.post(path, data or {}, content_type="application/json", headers=self.headers(role))
