"""The pages only the offices may open tell a district's staff whose they are: the
admin site and the second factor (动态口令) are the 区、市网络问政办's there, and
the 县、市网络问政办's in the demo's county."""

from wenzheng.testing import CastTestCase, District


class DistrictRefusalsTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.district = District(cls.cast)

    def refusal(self, user, url) -> str:
        self.client.force_login(user)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 403)
        return response.context["exception"]

    def test_the_admin_site_is_the_districts_and_the_citys_offices(self):
        self.assertEqual(
            self.refusal(self.district.handler, "/admin/login/"), "管理后台仅供系统管理员和区、市网络问政办使用。"
        )
        self.assertEqual(
            self.refusal(self.cast.handler_a, "/admin/login/"), "管理后台仅供系统管理员和县、市网络问政办使用。"
        )

    def test_the_second_factor_is_the_districts_and_the_citys_offices(self):
        self.assertEqual(
            self.refusal(self.district.leader, "/accounts/second-factor/"),
            "动态口令仅供区、市网络问政办和系统管理员账号使用。",
        )
        self.assertEqual(
            self.refusal(self.cast.leader_a, "/accounts/second-factor/"),
            "动态口令仅供县、市网络问政办和系统管理员账号使用。",
        )
