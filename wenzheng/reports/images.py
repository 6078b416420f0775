"""Charts as PNG images for the .docx and .xlsx documents: the same three charts the
pages draw as SVG (wenzheng.reports.charts), plus plain bars for the year-end report.

Drawn with matplotlib in Noto Sans CJK SC (Debian's fonts-noto-cjk), so the Chinese
labels render as characters, not boxes. A machine without the font gets a clear
message (a 503 page in Chinese, an English log line) rather than a document full of
empty squares.
"""

import io
import logging
import threading
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: documents are drawn on servers

from matplotlib import font_manager
from matplotlib.figure import Figure

from wenzheng.ops.errors import ServerNotReady

from .charts import COLOURS, GRID, INK, MUTED
from .figures import percent

FONT = "Noto Sans CJK SC"
DPI = 150
# A font installed while the server runs is found at the next look after this long;
# a look scans the system's font directories (~0.1 s), so not on every request.
RESCAN_AFTER = 60.0  # seconds

log = logging.getLogger(__name__)


class MissingFont(ServerNotReady):
    user_message = (
        f"服务器上没有安装中文字体“{FONT}”，暂时无法生成带图表的文件。"
        "请联系系统管理员安装字体（Debian/Ubuntu：apt-get install fonts-noto-cjk），安装后无需重启即可使用。"
    )
    log_message = (
        f"The CJK font {FONT!r} is not installed, so charts cannot be drawn: "
        "install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk); no restart is needed."
    )


_found: str | None = None
_rescanned_at: float | None = None
_lock = threading.Lock()


def _look() -> str | None:
    try:
        return font_manager.findfont(font_manager.FontProperties(family=FONT), fallback_to_default=False)
    except ValueError:
        return None


def _rescan() -> None:
    """Add the fonts installed since matplotlib built its font list, and save the list.

    matplotlib reads its font list from a cache file (fontlist-v*.json under
    MPLCONFIGDIR or ~/.cache/matplotlib) and never looks at the disk again. A cache
    built before fonts-noto-cjk was installed (by `make setup` on a bare machine, or by
    a server started before the font arrived) would hide the font forever.
    """
    manager = font_manager.fontManager
    known = {entry.fname for entry in manager.ttflist} | {entry.fname for entry in manager.afmlist}
    added = 0
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                manager.addfont(path)
            except (OSError, RuntimeError, ValueError) as e:  # an unreadable font file
                log.warning("font %s could not be read: %s", path, e)
                continue
            added += 1
    if added:
        cache = Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
        font_manager.json_dump(manager, cache)
        log.info("found %d font file(s) missing from matplotlib's font list; rewrote %s", added, cache)


def font_path() -> str:
    """The file of the CJK font the charts are drawn in.

    Looks again (once a minute at most) when the font is missing: it may have been
    installed after the cache was built or after this process started.
    """
    global _found, _rescanned_at
    if _found:
        return _found
    with _lock:
        _found = _look()
        if _found is None and (_rescanned_at is None or time.monotonic() - _rescanned_at >= RESCAN_AFTER):
            _rescanned_at = time.monotonic()
            _rescan()
            _found = _look()
    if _found is None:
        raise MissingFont()
    return _found


def _figure(width_in, height_in):
    font_path()
    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    return fig


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def _style(ax, title):
    ax.set_title(title, color=INK, fontsize=12, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=MUTED, labelsize=9)


def _rc():
    return matplotlib.rc_context({"font.family": [FONT], "axes.unicode_minus": False})


def unit_rates(units, *, limit=20) -> bytes:
    """Horizontal bars: reply and closure rate for the units with most messages."""
    shown = sorted((u for u in units if u.received), key=lambda u: (-u.received, u.unit.name))[:limit]
    with _rc():
        fig = _figure(7.5, 0.9 + 0.38 * max(len(shown), 1))
        ax = fig.add_subplot()
        _style(ax, "各单位回复率与办结率")
        names = [u.unit.name for u in reversed(shown)]
        reply = [100 * u.replied / u.received for u in reversed(shown)]
        closed = [100 * u.closed / u.received for u in reversed(shown)]
        ys = range(len(shown))
        ax.barh([y + 0.2 for y in ys], reply, height=0.38, color=COLOURS[0], label="回复率")
        ax.barh([y - 0.2 for y in ys], closed, height=0.38, color=COLOURS[1], label="办结率")
        ax.set_yticks(list(ys), names)
        ax.set_xlim(0, 105)
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter())
        ax.grid(axis="x", color=GRID)
        ax.set_axisbelow(True)
        if shown:
            ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=2, fontsize=9, frameon=False)
        else:
            ax.text(50, 0, "本期没有收到留言", ha="center", color=MUTED)
        return _png(fig)


def monthly_trend(months) -> bytes:
    """Grouped bars per month: received, replied, closed."""
    with _rc():
        fig = _figure(7.5, 3.2)
        ax = fig.add_subplot()
        _style(ax, "各月留言办理情况")
        labels = [f"{day.month}月" for day, _ in months]
        xs = range(len(months))
        for j, (key, name) in enumerate((("received", "收到"), ("replied", "回复"), ("closed", "办结"))):
            ax.bar(
                [x + (j - 1) * 0.26 for x in xs], [m[key] for _, m in months], width=0.26, color=COLOURS[j], label=name
            )
        ax.set_xticks(list(xs), labels)
        # Headroom above the tallest bar for the legend, which sits inside the plot.
        tallest = max((m[key] for _, m in months for key in ("received", "replied", "closed")), default=0)
        ax.set_ylim(0, max(tallest, 1) * 1.3)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", color=GRID)
        ax.set_axisbelow(True)
        ax.legend(fontsize=9, frameon=False, ncols=3, loc="upper left")
        return _png(fig)


def category_mix(by_category) -> bytes:
    """One stacked bar: the share of each category."""
    total = sum(n for _, n in by_category)
    with _rc():
        fig = _figure(7.5, 1.2)
        ax = fig.add_subplot()
        _style(ax, "留言类别构成")
        left = 0
        for i, (name, n) in enumerate(by_category):
            share = 100 * n / total if total else 0
            said = percent(n, total) if total else "—"
            ax.barh([0], [share], left=left, color=COLOURS[i % len(COLOURS)], label=f"{name}类 {n}条（{said}）")
            left += share
        ax.set_xlim(0, 100)
        ax.set_yticks([])
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter())
        ax.legend(
            fontsize=9, frameon=False, ncols=max(len(by_category), 1), loc="upper center", bbox_to_anchor=(0.5, -0.35)
        )
        return _png(fig)


def bars(labels, values, *, title, unit="", limit=None) -> bytes:
    """Plain horizontal bars, largest first (the year-end totals, the grade counts)."""
    pairs = list(zip(labels, values, strict=True))[:limit]
    with _rc():
        fig = _figure(7.5, 0.9 + 0.34 * max(len(pairs), 1))
        ax = fig.add_subplot()
        _style(ax, title)
        ys = range(len(pairs))
        ax.barh(list(ys), [float(v) for _, v in reversed(pairs)], color=COLOURS[0], height=0.6)
        ax.set_yticks(list(ys), [name for name, _ in reversed(pairs)])
        for y, (_, v) in zip(ys, reversed(pairs), strict=True):
            ax.text(float(v), y, f" {v}{unit}", va="center", fontsize=8, color=INK)
        ax.grid(axis="x", color=GRID)
        ax.set_axisbelow(True)
        return _png(fig)
