"""A request the schema refuses is answered in Chinese, field by field."""

from wenzheng.api.errors import problem

from .helpers import ApiTestCase


class InvalidRequestTest(ApiTestCase):
    def test_each_refused_field_says_what_is_wrong_in_chinese(self):
        """Found by a newcomer: ?page=-1 was "Value error, 应为整数" (and -1 is an
        integer); a page size beyond the limit was pydantic's English."""
        cases = [
            ({"page": "-1"}, "page", "应为不带正负号的整数（只含数字 0–9）"),
            ({"page": "abc"}, "page", "应为不带正负号的整数（只含数字 0–9）"),
            ({"page": "0"}, "page", "不能小于1"),
            ({"page_size": "100000"}, "page_size", "不能大于"),
        ]
        for query, field, said in cases:
            with self.subTest(query):
                response = self.get("anonymous", "/api/v1/messages", **query)
                self.assertEqual(response.status_code, 422)
                body = response.json()
                self.assertEqual(body["code"], "invalid_request")
                self.assertEqual(body["message"], f"请求参数不正确：{field}。")
                [refused] = body["errors"]
                self.assertEqual(refused["field"], field)
                self.assertIn(said, refused["problem"])
                self.assertNotRegex(refused["problem"], r"[A-Za-z]{4,}", "no English left")

    def test_a_problem_of_a_type_not_yet_said_in_chinese_keeps_pydantics_words(self):
        self.assertEqual(
            problem({"type": "uuid_parsing", "msg": "Input should be a valid UUID"}), "Input should be a valid UUID"
        )
        self.assertEqual(problem({"type": "missing", "msg": "Field required"}), "必填")
        limitless = {"type": "less_than_equal", "msg": "Input should be less than or equal to 5", "ctx": {}}
        self.assertEqual(problem(limitless), "Input should be less than or equal to 5")
