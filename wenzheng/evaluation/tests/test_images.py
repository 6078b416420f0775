"""Chart images for the documents: PNG, drawn in a CJK font."""

import datetime as dt

from wenzheng.reports import images


def test_the_chinese_font_is_found():
    assert "NotoSansCJK" in images.font_path().replace("-", "").replace("_", "")


def test_each_chart_is_a_png():
    months = [(dt.date(2026, m, 1), {"received": m, "replied": m, "closed": m - 1}) for m in (1, 2, 3)]
    for png in (
        images.monthly_trend(months),
        images.category_mix([("咨询", 23), ("建议", 5), ("诉求", 18)]),
        images.category_mix([("咨询", 0)]),
        images.unit_rates([]),
        images.bars(["东门镇", "黄金镇"], [93, 88.5], title="乡镇考评总分", unit="分"),
    ):
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(png) > 2000
