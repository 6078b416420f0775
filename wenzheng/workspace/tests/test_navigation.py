from wenzheng.testing import CastTestCase


class OfficeNavigationTest(CastTestCase):
    def test_the_county_office_reaches_evaluation_bulletin_imports_and_tokens(self):
        self.client.force_login(self.cast.county_office)
        response = self.client.get("/work/county/luocheng/")
        for href, text in [
            ("/evaluation/", "绩效考评"),
            ("/evaluation/bulletin/", "季度通报"),
            ("/bulk/imports/", "批量导入"),
            ("/api/tokens/", "接口令牌"),
        ]:
            self.assertContains(response, f'href="{href}">{text}</a>', html=False)

    def test_unit_staff_reach_their_tokens_but_not_the_offices_pages(self):
        self.client.force_login(self.cast.handler_a)
        response = self.client.get("/work/unit/")
        self.assertContains(response, 'href="/api/tokens/"')
        self.assertNotContains(response, 'href="/bulk/imports/"')
        self.assertNotContains(response, 'href="/evaluation/"')
