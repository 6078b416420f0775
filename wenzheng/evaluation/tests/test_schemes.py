"""Schemes as data: the shipped default, the file round trip, versions, checks."""

import json
import re

import pytest
from django.core.exceptions import ValidationError

from wenzheng.evaluation import schemes
from wenzheng.evaluation.defaults import DEFAULT
from wenzheng.evaluation.models import Scheme
from wenzheng.testing import CastTestCase


class SchemeTest(CastTestCase):
    def default(self):
        return Scheme.objects.latest_version("default")

    def test_the_migration_ships_the_default_scheme(self):
        scheme = self.default()
        self.assertEqual(schemes.snapshot(scheme), DEFAULT)
        self.assertEqual(scheme.total_points, 100)
        self.assertEqual(
            [i.label for i in scheme.items.all()],
            ["人员配备", "按时回应", "按时回复", "分类办结", "网民满意度", "督查与问责"],
        )

    def test_the_file_reads_back_as_the_same_scheme(self):
        data = schemes.snapshot(self.default())
        text = schemes.to_toml(data)
        self.assertTrue(text.startswith("# 考评方案：网络问政绩效考评默认方案（第1版）\n"))
        self.assertIn('[[items]]\nkey = "staffing"', text)
        self.assertEqual(schemes.clean(schemes.parse(text)), data)
        # JSON is read too.
        self.assertEqual(schemes.clean(schemes.parse(json.dumps(data, ensure_ascii=False))), data)

    def test_storing_the_same_content_adds_no_version(self):
        scheme, created = schemes.store(schemes.snapshot(self.default()))
        self.assertFalse(created)
        self.assertEqual(scheme, self.default())

    def test_a_changed_file_becomes_the_next_version(self):
        data = schemes.parse(schemes.to_toml(schemes.snapshot(self.default())))
        data["items"][3]["params"]["weights"] = {"consultation": 1, "suggestion": 1, "appeal": 2}
        data["version"] = 7  # the file's own number does not matter
        scheme, created = schemes.store(data)
        self.assertTrue(created)
        self.assertEqual((scheme.code, scheme.version), ("default", 2))
        self.assertEqual(
            Scheme.objects.get(code="default", version=1).items.get(key="closure").params.get("weights"), None
        )
        self.assertEqual(self.default(), scheme)

    def test_a_copy_for_editing_is_a_new_version(self):
        copy = schemes.new_version(self.default())
        self.assertEqual(copy.version, 2)
        self.assertEqual([i.key for i in copy.items.all()], [i["key"] for i in DEFAULT["items"]])
        self.assertTrue(copy.notes.endswith("（由第1版复制）"))

    def test_text_with_quotes_newlines_and_odd_keys_survives_the_file(self):
        data = schemes.snapshot(self.default())
        data["notes"] = '第一行\n第二行 "引号" \\ 反斜杠\t制表'
        data["items"][0]["explanation"] = "说明\u007f"
        data["items"][3]["params"]["weights"] = {"consultation": 1.5, "appeal": 2}
        back = schemes.clean(schemes.parse(schemes.to_toml(data)))
        self.assertEqual(back["notes"], data["notes"].strip())
        self.assertEqual(back["items"][3]["params"]["weights"], {"consultation": 1.5, "appeal": 2})

    def test_control_characters_and_terminal_escapes_are_removed_from_every_text(self):
        """A pasted ESC in a label made every report scored by the version a 500
        (XML, hence .docx and .xlsx, forbids it)."""
        data = schemes.snapshot(self.default())
        data["name"] = "\x1b[31m考评方案\x1b[0m\x07"
        data["grades"][0][1] = "优\x0b秀"
        data["items"][0]["label"] = "按时\x1b[1m回应"
        data["items"][0]["explanation"] = "说明\x00\u202e"
        back = schemes.clean(data)
        self.assertEqual(
            (back["name"], back["grades"][0][1], back["items"][0]["label"], back["items"][0]["explanation"]),
            ("考评方案", "优秀", "按时回应", "说明"),
        )


def valid():
    return json.loads(json.dumps(DEFAULT))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(code="默认"), "code（方案代码）须为40个字符以内的字母、数字、下划线或连字符。"),
        (lambda d: d.update(items=[]), "items（考评项目）至少要有一项。"),
        (
            lambda d: d.update(grades=[[60, "合格"], [90, "优秀"], [0, "不合格"]]),
            "等次须按分数线从高到低排列，且分数线不重复。",
        ),
        (lambda d: d.update(grades=[[90, "优秀"], [60, "合格"]]), "最低一档的分数线须为0，使每个单位都有等次。"),
        (lambda d: d["items"][1].update(key="staffing"), "第2个考评项目的 key“staffing”与前面的项目重复。"),
        (
            lambda d: d["items"][1].update(max_points="-1"),
            "考评项目“按时回应”的 max_points（分值）须为非负数，最多两位小数。",
        ),
        (
            lambda d: d["items"][1]["params"].update(floor=1.2),
            "考评项目“按时回应”：应满足 0 ≤ 下限 floor ≤ 满分线 full ≤ 1（比率写作小数，如 0.8 表示80%）。",
        ),
        (
            lambda d: d["items"][1].update(kind="lottery"),
            "考评项目“按时回应”：不认识的计分方式“lottery”。可用：rate、deduction、compliance。",
        ),
        (lambda d: d.update(colour="red"), "不认识的字段：colour。"),
    ],
)
def test_it_rejects_a_broken_scheme_saying_why(change, message):
    data = valid()
    change(data)
    with pytest.raises(ValidationError) as e:
        schemes.clean(data)
    assert message in e.value.messages


@pytest.mark.parametrize(
    "text, says",
    [
        ("code = [unclosed", "文件格式有误：第1行第9列附近无法按TOML读取。"),
        ('name = "方案"\ncode = x', "文件格式有误：第2行第8列附近无法按TOML读取。"),
        ('{"code": "x",}', "文件格式有误：第1行第14列附近无法按JSON读取。"),
        ("[1, 2", "文件格式有误：第1行第6列附近无法按JSON读取。"),
        # Nested past Python's recursion limit (an attacker's trial: a 500).
        ("[" * 100_000 + "]" * 100_000, "文件格式有误：文件中无法按JSON读取。"),
        ("a = " + "[" * 5_000 + "]" * 5_000, "文件格式有误：文件中无法按TOML读取。"),
    ],
)
def test_it_rejects_a_file_it_cannot_read_saying_where_in_chinese(text, says):
    with pytest.raises(ValidationError) as e:
        schemes.parse(text)
    assert e.value.messages[0].startswith(says)
    assert not re.search(r"[A-Za-z]{4,}", e.value.messages[0].replace("TOML", "").replace("JSON", ""))


def test_a_json_list_is_not_a_scheme():
    with pytest.raises(ValidationError) as e:
        schemes.clean(schemes.parse("[1, 2, 3]"))
    assert e.value.messages == ["方案文件的内容应为键值对。"]
