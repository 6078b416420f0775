"""The CJK font is found even when matplotlib's font cache was built before it was
installed (a bare machine's `make setup`, or a server started before the font)."""

import json
import logging
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.test import SimpleTestCase

from wenzheng.reports import images

# Builds a font cache in MPLCONFIGDIR as matplotlib would have on a machine without
# the CJK font: a real scan, with every Noto CJK file taken out of it.
STALE_CACHE = textwrap.dedent(
    """
    from pathlib import Path
    import matplotlib
    from matplotlib import font_manager
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if "CJK" not in Path(f.fname).name]
    cache = Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
    font_manager.json_dump(manager, cache)
    print(cache)
    """
)
# What a server process does: import the charts module and ask for the font.
LOOKUP = "import django; django.setup(); from wenzheng.reports import images; print(images.font_path())"


class StaleFontCacheTest(SimpleTestCase):
    def run_python(self, code, config_dir):
        env = {**os.environ, "MPLCONFIGDIR": config_dir, "DJANGO_SETTINGS_MODULE": "wenzheng.settings"}
        return subprocess.run(
            [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )

    def test_a_cache_built_without_the_font_is_rebuilt_and_the_font_found(self):
        with tempfile.TemporaryDirectory() as config_dir:
            built = self.run_python(STALE_CACHE, config_dir)
            self.assertEqual(built.returncode, 0, built.stderr)
            cache = Path(built.stdout.strip())
            stale = json.loads(cache.read_text())
            self.assertFalse([f for f in stale["ttflist"] if "CJK" in f["name"]], "the cache should lack the font")

            found = self.run_python(LOOKUP, config_dir)

            self.assertEqual(found.returncode, 0, found.stderr)
            self.assertIn("NotoSansCJK", found.stdout.replace("-", ""))
            # The cache on disk was rewritten, so the next process finds it at once.
            fresh = json.loads(cache.read_text())
            self.assertTrue([f for f in fresh["ttflist"] if f["name"] == images.FONT])


class MissingFontTest(SimpleTestCase):
    """A server started before the font arrived: it looks again, at most once a minute."""

    def setUp(self):
        patcher = mock.patch.multiple(images, _found=None, _rescanned_at=None)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_the_error_says_what_to_install_in_chinese_and_in_english(self):
        with (
            mock.patch.object(images, "_look", return_value=None),
            mock.patch.object(images, "_rescan") as rescan,
            self.assertRaises(images.MissingFont) as raised,
        ):
            images.font_path()
        rescan.assert_called_once()
        self.assertIn("fonts-noto-cjk", raised.exception.user_message)
        self.assertIn("系统管理员", raised.exception.user_message)
        self.assertIn("install Debian's fonts-noto-cjk", str(raised.exception))

    def test_a_font_installed_later_is_found_without_a_restart(self):
        looks = iter([None, None, None, None, "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"])
        with (
            mock.patch.object(images, "_look", side_effect=lambda: next(looks)),
            mock.patch.object(images, "_rescan") as rescan,
            mock.patch.object(images.time, "monotonic", side_effect=[1000.0, 1030.0, 1061.0, 1061.0]),
        ):
            with self.assertRaises(images.MissingFont):
                images.font_path()  # looks, rescans (t=1000), looks again: missing
            with self.assertRaises(images.MissingFont):
                images.font_path()  # t=1030: too soon to scan again; gives up at once
            self.assertEqual(rescan.call_count, 1)
            # t=1061: a minute later the disk is scanned again, and the font is there.
            self.assertIn("NotoSansCJK", images.font_path())
        self.assertEqual(rescan.call_count, 2)

    def test_an_unreadable_font_file_is_skipped_with_a_warning(self):
        manager = mock.Mock(ttflist=[], afmlist=[])
        manager.addfont.side_effect = RuntimeError("Can not load face")
        with (
            mock.patch.object(images.font_manager, "fontManager", manager),
            mock.patch.object(images.font_manager, "findSystemFonts", return_value=["/usr/share/fonts/broken.ttf"]),
            self.assertLogs("wenzheng.reports.images", logging.WARNING) as logs,
        ):
            images._rescan()
        self.assertIn("/usr/share/fonts/broken.ttf", logs.output[0])
