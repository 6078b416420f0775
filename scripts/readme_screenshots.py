"""Screenshots of the demo county for the README: `make screenshots`.

Serves the demo database (built by `make setup`) on a spare local port, signs in as
the people who use each page, and saves PNGs under docs/screenshots/.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"the demo server did not start on port {port}")


def main() -> None:
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        OUT.mkdir(parents=True, exist_ok=True)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)

            def page_for(username=None, *, phone=False):
                viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
                context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
                page = context.new_page()
                if username:
                    page.goto(f"{base}/accounts/login/")
                    page.get_by_label("用户名").fill(username)
                    page.get_by_label("密码").fill("demo12345")
                    page.get_by_role("button", name="登录").click()
                    page.wait_for_load_state()
                return page

            shots = [
                # (who, page, file, phone width, whole page)
                (None, "/", "public-home.png", False, False),
                (None, "/statistics/?period=2026Q1", "statistics-2026q1.png", False, True),
                ("dongmen_handler1", "/work/unit/?tab=all", "unit-inbox.png", False, False),
                ("county", "/work/county/luocheng/", "county-dashboard.png", False, False),
                (None, "/messages/", "board-phone.png", True, False),
                (None, "/statistics/?period=2026Q1", "statistics-phone.png", True, True),
            ]
            for username, path, name, phone, full in shots:
                page = page_for(username, phone=phone)
                page.goto(f"{base}{path}")
                page.screenshot(path=OUT / name, full_page=full)
                print(f"saved docs/screenshots/{name}")
            # On a phone: the home page's unit rates, and the ranking (the county office
            # runs the year's evaluation first), each at its long table.
            page = page_for(None, phone=True)
            page.goto(f"{base}/")
            page.locator("caption").first.evaluate("el => el.scrollIntoView()")
            page.screenshot(path=OUT / "home-phone.png")
            print("saved docs/screenshots/home-phone.png")
            page = page_for("county", phone=True)
            page.goto(f"{base}/evaluation/")
            page.get_by_label("考评期间", exact=True).select_option("2026")
            page.get_by_role("button", name="开始考评").click()
            page.wait_for_url("**/evaluation/runs/*/")
            page.locator("table.ranking").first.evaluate("el => el.scrollIntoView()")
            page.screenshot(path=OUT / "ranking-phone.png")
            print("saved docs/screenshots/ranking-phone.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
