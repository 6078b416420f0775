import time_machine

from .base import NOW, WorkspaceTestCase


@time_machine.travel(NOW, tick=False)
class HomeTests(WorkspaceTestCase):
    def test_it_sends_each_role_to_its_own_start_page(self):
        expected = {
            "handler_a": "/work/unit/",
            "leader_b": "/work/unit/",
            "county_office": "/work/county/luocheng/",
            "other_county_office": "/work/county/huanjiang/",
            "city_office": "/work/city/hechi/",
            # The administrator oversees every county and starts at the first by name.
            "admin": "/work/county/huanjiang/",
        }
        for role, target in expected.items():
            with self.subTest(role=role):
                self.as_(role)
                self.assertRedirects(self.client.get("/work/"), target, fetch_redirect_response=False)

    def test_it_is_for_staff_only(self):
        self.assertAccess(
            "/work/",
            allowed={
                "handler_a",
                "leader_a",
                "handler_b",
                "leader_b",
                "handler_c",
                "county_office",
                "other_county_office",
                "city_office",
                "admin",
            },
            ok=302,
        )

    def test_the_menu_marks_the_workspace_current(self):
        self.as_("handler_a")
        response = self.client.get("/work/unit/")
        self.assertContains(response, '<a href="/work/" aria-current="page">工作台</a>', html=True)
