"""Charts as SVG, drawn from plain figures: bars for rates per unit, the monthly
trend, the category mix. Chinese labels; presentation attributes only (the CSP
forbids inline styles); each chart has a title and a description for screen
readers, and the pages show the same figures in a table beside it."""

import itertools
from html import escape

from django.utils.safestring import mark_safe

from .figures import percent

INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9e2ec"
COLOURS = ["#9b1c1c", "#0b5cad", "#1e6b3a", "#8a5300", "#5b3a8a"]
_ids = itertools.count(1)  # unique ids for <title>/<desc> when a page shows several charts
FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


def _svg(width, height, title, desc, body) -> str:
    n = next(_ids)
    return mark_safe(  # noqa: S308 (every text in it went through escape())
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="t-{n} d-{n}" xmlns="http://www.w3.org/2000/svg" font-family="{FONT}">'
        f'<title id="t-{n}">{escape(title)}</title><desc id="d-{n}">{escape(desc)}</desc>'
        f"{''.join(body)}</svg>"
    )


# Charts are drawn WIDTH units wide and scaled to the screen: at most their natural size
# on a desktop, about three quarters on a 390 px phone and two thirds on a 360 px one,
# so the smallest label (SMALL) still reads at 10 px or more there (issue 16: at 640
# units wide, labels were 6 px; at 14 units, 9.6 px on a 360 px phone).
WIDTH = 480
SMALL, NORMAL = 15, 16


def _text(x, y, text, *, size=NORMAL, anchor="start", fill=INK, weight="normal"):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}">{escape(str(text))}</text>'
    )


def _legend(x, y, names):
    parts = []
    for i, name in enumerate(names):
        parts.append(f'<rect x="{x + i * 96}" y="{y - 12}" width="14" height="14" fill="{COLOURS[i]}"/>')
        parts.append(_text(x + i * 96 + 20, y, name, size=SMALL))
    return parts


def _rate(part, whole):
    return 100.0 * part / whole if whole else 0.0


def unit_rates(units, *, limit=20) -> str:
    """Horizontal bars: reply rate and closure rate for the units with most messages,
    each unit's name on its own line above its bars (long names need the width)."""
    shown = sorted(units, key=lambda u: (-u.received, u.unit.name))[:limit]
    left, bar_w, row_h, top = 4, WIDTH - 60, 58, 34
    height = top + row_h * max(len(shown), 1) + 24
    body = _legend(left, 20, ["回复率", "办结率"])
    for pct in (0, 50, 100):
        x = left + bar_w * pct / 100
        body.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{height - 22}" stroke="{GRID}"/>')
        anchor = {0: "start", 50: "middle", 100: "end"}[pct]
        body.append(_text(x, height - 4, f"{pct}%", size=SMALL, anchor=anchor, fill=MUTED))
    if not shown:
        body.append(_text(left, top + 26, "本期没有收到留言", fill=MUTED))
    for i, u in enumerate(shown):
        y = top + i * row_h
        body.append(_text(left, y + 17, u.unit.name, size=NORMAL))
        for j, (value, label) in enumerate(((u.replied, u.reply_rate), (u.closed, u.closure_rate))):
            w = bar_w * _rate(value, u.received) / 100
            body.append(f'<rect x="{left}" y="{y + 24 + j * 15}" width="{w:.1f}" height="13" fill="{COLOURS[j]}"/>')
            body.append(_text(left + w + 4, y + 36 + j * 15, label or "—", size=SMALL, fill=MUTED))
    desc = "；".join(f"{u.unit.name}回复率{u.reply_rate}、办结率{u.closure_rate}" for u in shown)
    return _svg(WIDTH, height, "各单位回复率与办结率", desc or "本期没有收到留言", body)


def monthly_trend(months) -> str:
    """Grouped bars per month: messages received, replied and closed."""
    width, height, left, bottom = WIDTH, 280, 40, 240
    top = max([m["received"] for _, m in months] + [1])
    step = (width - left - 6) / max(len(months), 1)
    body = _legend(left, 20, ["收到", "回复", "办结"])
    for frac in (0, 0.5, 1):
        y = bottom - (bottom - 44) * frac
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 6}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 5, round(top * frac), size=SMALL, anchor="end", fill=MUTED))
    bar = min(step / 3.5, 18)
    for i, (month, m) in enumerate(months):
        x0 = left + i * step + (step - 3 * bar) / 2
        for j, key in enumerate(("received", "replied", "closed")):
            h = (bottom - 44) * m[key] / top
            body.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{bottom - h:.1f}" width="{max(bar - 1.5, 1):.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[j]}"/>'
            )
        body.append(_text(left + i * step + step / 2, bottom + 22, f"{month.month}月", size=SMALL, anchor="middle"))
    desc = "；".join(f"{d.month}月收到{m['received']}条、回复{m['replied']}条、办结{m['closed']}条" for d, m in months)
    return _svg(width, height, "各月留言办理情况", desc or "没有数据", body)


def category_mix(by_category) -> str:
    """One stacked bar: the share of each category, its legend one line per category."""
    width, total = WIDTH, sum(n for _, n in by_category)
    body, x = [], 4.0
    for i, (name, n) in enumerate(by_category):
        w = (width - 8) * n / total if total else 0
        colour = COLOURS[i % len(COLOURS)]
        body.append(f'<rect x="{x:.1f}" y="6" width="{w:.1f}" height="34" fill="{colour}"/>')
        body.append(f'<rect x="4" y="{54 + i * 24}" width="14" height="14" fill="{colour}"/>')
        share = percent(n, total) if total else "—"  # as every rate: 37%, not 37.0%
        body.append(_text(24, 66 + i * 24, f"{name}类 {n}条（{share}）", size=NORMAL))
        x += w
    desc = "、".join(f"{name}类{n}条" for name, n in by_category)
    return _svg(width, 56 + 24 * max(len(by_category), 1), "留言类别构成", desc or "没有数据", body)
