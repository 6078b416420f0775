"""Messages for the hot-issue tests: two problems on one street of 罗城 and one in a
village of 环江, worded as citizens word them, among messages about everything else."""

import datetime as dt

from wenzheng.handling import actions
from wenzheng.testing import CastTestCase, local

from .test_grouping import BACKGROUND, GARBAGE_FENGHUANG, STREETLIGHT_FENGHUANG, WATER_HENGAN

NOW = local(2026, 6, 30, 20)  # a Tuesday evening
DAY = dt.timedelta(days=1)
# Two more streetlight messages, in the week before this one (the trend).
STREETLIGHT_BEFORE = [
    ("凤凰路路灯还是不亮", "上个月反映过凤凰路的路灯坏了，到现在晚上还是一片漆黑，请尽快维修。"),
    ("凤凰路路灯坏了很久", "凤凰路好几盏路灯坏了很久，晚上走路看不见，老人摔倒了。"),
]


class HotspotTestCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.streetlight = [
            cls.message(title, body, at=NOW - dt.timedelta(days=n, hours=2), unit=(c.unit_a, c.unit_b)[n % 2])
            for n, (title, body) in enumerate(STREETLIGHT_FENGHUANG)
        ]
        cls.streetlight_before = [
            cls.message(title, body, at=NOW - dt.timedelta(days=8 + n), unit=c.unit_a)
            for n, (title, body) in enumerate(STREETLIGHT_BEFORE)
        ]
        # Not dispatched yet: no unit.
        cls.garbage = [
            cls.message(title, body, at=NOW - dt.timedelta(days=n + 1))
            for n, (title, body) in enumerate(GARBAGE_FENGHUANG)
        ]
        cls.water = [
            cls.message(title, body, at=NOW - dt.timedelta(days=n), unit=c.unit_c)
            for n, (title, body) in enumerate(WATER_HENGAN)
        ]
        for n, (title, body) in enumerate(BACKGROUND[:30]):
            cls.message(title, body, at=NOW - dt.timedelta(days=n % 20, hours=3))

    @classmethod
    def message(cls, title, body, *, at, unit=None, region=None, phone="13800000000"):
        c = cls.cast
        return actions.submit(
            by=c.citizen if unit is None or unit.region_id == c.county.pk else c.other_citizen,
            category=c.appeal,
            unit=unit,
            region=None if unit else (region or c.county),
            title=title,
            body=body,
            name="张三",
            phone=phone,
            consent_to_publish=True,
            at=at,
        )
