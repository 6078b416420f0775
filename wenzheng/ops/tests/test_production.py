"""The production stack answers as a county's server must: gunicorn with DEBUG off,
whitenoise's hashed static files, security headers, a Chinese 404, and a settings
check (`check --deploy`) that passes under the documented environment. Runs on
whichever database the suite runs on (SQLite, then PostgreSQL in `make test`)."""

import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import skipUnless

import requests
from django.conf import settings
from django.test import SimpleTestCase

from wenzheng.testing import Cast, ChainTransactionTestCase, child_environment

from .serving import Gunicorn, Nginx, documented_environment

HTTPS = {"X-Forwarded-Proto": "https"}  # what nginx says of a request that came over TLS


class DeployCheckTest(SimpleTestCase):
    def test_check_deploy_passes_under_the_documented_environment(self):
        with tempfile.TemporaryDirectory() as tmp:
            key, chain_key = Path(tmp, "secret_key"), Path(tmp, "event_chain_key")
            key.write_text("a-generated-key-" + "x9Q" * 20)
            chain_key.write_text("another-generated-key-" + "Zq7" * 20)
            env = {
                **documented_environment(),
                "SECRET_KEY_FILE": str(key),
                "EVENT_CHAIN_KEY_FILE": str(chain_key),
                "MPLCONFIGDIR": tmp,
            }
            env.pop("EMAIL_HOST_PASSWORD_FILE")
            result = subprocess.run(
                [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                cwd=settings.BASE_DIR,
                env={"PATH": "/usr/bin:/bin", **env},
                capture_output=True,
                text=True,
                timeout=60,
            )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("System check identified no issues", result.stdout)

    def test_a_production_server_without_the_event_chain_key_refuses_to_start(self):
        with tempfile.TemporaryDirectory() as tmp:
            key = Path(tmp, "secret_key")
            key.write_text("a-generated-key-" + "x9Q" * 20)
            env = {**documented_environment(), "SECRET_KEY_FILE": str(key), "EVENT_CHAIN_KEY_FILE": ""}
            result = subprocess.run(
                [sys.executable, "manage.py", "check"],
                cwd=settings.BASE_DIR,
                env={"PATH": "/usr/bin:/bin", **env},
                capture_output=True,
                text=True,
            )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("EVENT_CHAIN_KEY or EVENT_CHAIN_KEY_FILE must be set when DEBUG is off", result.stderr)

    def test_a_production_server_without_a_secret_key_refuses_to_start(self):
        env = {**documented_environment(), "SECRET_KEY_FILE": "", "PATH": "/usr/bin:/bin"}
        result = subprocess.run(
            [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY or SECRET_KEY_FILE must be set when DEBUG is off", result.stderr)


class ProductionServerTest(ChainTransactionTestCase):
    def setUp(self):
        Cast()  # a city, two counties, units and people, committed for the server to read

    def test_the_production_server_serves_pages_static_files_the_api_and_a_chinese_404(self):
        with Gunicorn() as server:
            base = f"http://127.0.0.1:{server.port}"

            home = requests.get(base + "/", headers=HTTPS, timeout=10)
            self.assertEqual(home.status_code, 200, server.output()[-3000:])
            self.assertIn("网络问政", home.text)
            with self.subTest("security headers"):
                self.assertEqual(home.headers["Strict-Transport-Security"], "max-age=31536000")
                self.assertEqual(home.headers["X-Content-Type-Options"], "nosniff")
                self.assertEqual(home.headers["X-Frame-Options"], "DENY")
                self.assertEqual(home.headers["Referrer-Policy"], "same-origin")
                self.assertEqual(home.headers["Cross-Origin-Opener-Policy"], "same-origin")
                self.assertIn("script-src 'self'", home.headers["Content-Security-Policy"])
                self.assertRegex(home.headers["X-Request-ID"], r"^[0-9a-f]{32}$")

            with self.subTest("static files: hashed names, cached for ever, compressed"):
                stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home.text)
                self.assertIsNotNone(stylesheet, "the page should link the hashed stylesheet")
                css = requests.get(base + stylesheet[1], headers={"Accept-Encoding": "gzip", **HTTPS}, timeout=10)
                self.assertEqual(css.status_code, 200)
                self.assertIn("max-age=315360000", css.headers["Cache-Control"])
                self.assertIn("immutable", css.headers["Cache-Control"])
                self.assertEqual(css.headers["Content-Encoding"], "gzip")
                self.assertIn("text/css", css.headers["Content-Type"])

            with self.subTest("the API's OpenAPI document"):
                api = requests.get(base + "/api/v1/openapi.json", headers=HTTPS, timeout=10)
                self.assertEqual(api.status_code, 200)
                self.assertTrue(api.json()["openapi"].startswith("3."))

            with self.subTest("a 404 in Chinese, with no list of URLs"):
                missing = requests.get(base + "/no-such-page/", headers=HTTPS, timeout=10)
                self.assertEqual(missing.status_code, 404)
                self.assertIn("页面不存在", missing.text)
                self.assertNotIn("URLconf", missing.text)
                self.assertNotIn("Traceback", missing.text)

            with self.subTest("a shared link with a long search is answered by the app, in Chinese"):
                # 800 characters: 7,200 bytes percent-encoded, past gunicorn's default
                # request line (4,094), whose 414 page is English.
                long = requests.get(base + "/messages/", params={"q": "路灯" * 400}, headers=HTTPS, timeout=10)
                self.assertEqual(long.status_code, 200)
                self.assertIn("搜索词不能超过100个字（现有800个字）", long.text)

            with self.subTest("plain HTTP is sent to HTTPS; the health check is not"):
                plain = requests.get(base + "/messages/", allow_redirects=False, timeout=10)
                self.assertEqual(plain.status_code, 301)
                self.assertEqual(plain.headers["Location"], f"https://127.0.0.1:{server.port}/messages/")
                self.assertEqual(requests.get(base + "/health/", timeout=10).text, "ok")

            # A staff search by a phone number and an Open311 key leave the log out.
            requests.get(
                base + "/open311/v2/requests.json?api_key=wz_notinthelog&q=13812345678", headers=HTTPS, timeout=10
            )
            # (The last request's line, written once its answer is sent: waited for.)
            log = server.output(waiting_for='"GET /open311/v2/requests.json HTTP/1.1"')
        self.assertIn('"GET /no-such-page/ HTTP/1.1" 404', log)
        self.assertIn('"GET /open311/v2/requests.json HTTP/1.1"', log)
        self.assertNotIn("wz_notinthelog", log)
        self.assertNotIn("13812345678", log)
        self.assertRegex(log, r"WARNING \[[0-9a-f]{32}\] django.request: Not Found: /no-such-page/")
        self.assertNotIn("Traceback", log)
        # Each worker was made ready before its first request (post_worker_init).
        self.assertRegex(log, r"Worker \d+ ready in \d+\.\d s: the views imported")


class WarmTest(SimpleTestCase):
    def test_a_new_process_warmed_has_imported_every_view_and_read_the_dictionary(self):
        # A process of its own: this one imported the views long ago.
        probe = (
            "import django, sys; django.setup()\n"
            "from wenzheng.search import words\n"
            "assert 'wenzheng.workspace.views.city' not in sys.modules and words._tokenizer is None\n"
            "from wenzheng.ops.warm import warm\n"
            "seconds = warm()\n"
            "print(seconds > 0, 'wenzheng.workspace.views.city' in sys.modules, 'wenzheng.public.views' in sys.modules,"
            " words._tokenizer is not None)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=settings.BASE_DIR,
            env=child_environment(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split(), ["True"] * 4)


class ReloadTest(ChainTransactionTestCase):
    def test_a_reload_serves_the_new_static_files_an_update_collected(self):
        """README's update: collectstatic, then `systemctl reload` (HUP to gunicorn)."""
        Cast()
        with Gunicorn() as server:
            base = f"http://127.0.0.1:{server.port}"
            old = re.search(
                r'href="/static/(css/site\.[0-9a-f]{12}\.css)"',
                requests.get(base + "/", headers=HTTPS, timeout=10).text,
            )[1]
            # What collectstatic leaves after an update that changed the stylesheet.
            manifest = server.static_root / "staticfiles.json"
            data = json.loads(manifest.read_text())
            new = "css/site.0123456789ab.css"
            shutil.copy(server.static_root / old, server.static_root / new)
            data["paths"]["css/site.css"] = new
            manifest.write_text(json.dumps(data))
            os.kill(server.process.pid, signal.SIGHUP)
            deadline, page = time.monotonic() + 60, ""
            while time.monotonic() < deadline:
                try:
                    page = requests.get(base + "/accounts/login/", headers=HTTPS, timeout=10).text  # never cached
                except requests.RequestException:
                    # Meanwhile a request may wait for the new workers to boot: on a
                    # busy machine (the suite's other process) longer than its timeout.
                    page = ""
                if f"/static/{new}" in page:
                    break
                time.sleep(0.5)
            self.assertIn(f"/static/{new}", page, "the reloaded workers should link the new stylesheet")
            self.assertEqual(requests.get(f"{base}/static/{new}", headers=HTTPS, timeout=10).status_code, 200)


@skipUnless(shutil.which("nginx"), "nginx is not installed (make test installs Debian's nginx)")
class NginxSiteTest(ChainTransactionTestCase):
    """deploy/nginx/wenzheng.conf, run for real in front of gunicorn."""

    def setUp(self):
        Cast()

    def test_the_site_configuration_is_valid(self):
        with Gunicorn() as app:
            checked = Nginx(app).test_configuration()
        self.assertEqual(checked.returncode, 0, checked.stderr)
        self.assertIn("syntax is ok", checked.stderr)

    def test_pages_go_through_tls_to_the_app_and_static_files_come_from_disk(self):
        with Gunicorn() as app, Nginx(app) as proxy:
            base = f"https://localhost:{proxy.https}"
            home = requests.get(base + "/", verify=proxy.certificate, timeout=10)
            self.assertEqual(home.status_code, 200, app.output()[-2000:])
            # nginx said the request came over TLS, so the app asks browsers to stay on it.
            self.assertEqual(home.headers["Strict-Transport-Security"], "max-age=31536000")
            # One id in nginx's log, the app's log and the response.
            request_id = home.headers["X-Request-ID"]
            self.assertIn('"GET / HTTP/1.1" 200 ', proxy.access_log(waiting_for=request_id))
            self.assertIn(f"id={request_id}", app.output(waiting_for=request_id))

            stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home.text)[1]
            css = requests.get(
                base + stylesheet, headers={"Accept-Encoding": "gzip"}, verify=proxy.certificate, timeout=10
            )
            self.assertEqual(css.status_code, 200)
            self.assertIn("immutable", css.headers["Cache-Control"])
            self.assertEqual(css.headers["Content-Encoding"], "gzip")
            self.assertNotIn(stylesheet, app.output())  # nginx served it, not the app

            plain = requests.get(f"http://localhost:{proxy.http}/messages/", allow_redirects=False, timeout=10)
            self.assertEqual(plain.status_code, 301)
            self.assertEqual(plain.headers["Location"], "https://localhost/messages/")

            # A link with a search too long for a request line: nginx's 414, in Chinese.
            # Shorter, the app answers (it says the search is too long itself).
            too_long = requests.get(
                base + "/messages/", params={"q": "路" * 1000}, verify=proxy.certificate, timeout=10
            )
            self.assertEqual(too_long.status_code, 414)
            too_long.encoding = "utf-8"
            self.assertIn("链接太长", too_long.text)
            self.assertIn("搜索词不能超过100个字", too_long.text)
            self.assertNotIn("Request-URI Too", too_long.text)
            long = requests.get(base + "/messages/", params={"q": "路" * 850}, verify=proxy.certificate, timeout=10)
            self.assertEqual(long.status_code, 200)
            self.assertIn("搜索词不能超过100个字（现有850个字）", long.text)

            # A staff search by a phone number and an Open311 key stay out of both logs.
            secret = requests.get(
                base + "/open311/v2/requests.json?api_key=wz_notinthelog&q=13812345678",
                verify=proxy.certificate,
                timeout=10,
            )
            secret_id = secret.headers["X-Request-ID"]
            logged = proxy.access_log(waiting_for=f"id={secret_id}")
            self.assertIn(f'"GET /open311/v2/requests.json HTTP/1.1" {secret.status_code} ', logged)
            for log in (logged, app.output(waiting_for=f"id={secret_id}")):  # the access line
                self.assertNotIn("wz_notinthelog", log)
                self.assertNotIn("13812345678", log)

            # An upload over the limit is refused by nginx before it reaches a worker.
            connection = http.client.HTTPSConnection(
                "localhost", proxy.https, context=ssl.create_default_context(cafile=proxy.certificate), timeout=10
            )
            connection.putrequest("POST", "/bulk/imports/")
            connection.putheader("Content-Length", str(60 * 1024 * 1024))
            connection.endheaders()
            self.assertEqual(connection.getresponse().status, 413)
            connection.close()


@skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed (Debian's systemd package)")
class SystemdUnitsTest(SimpleTestCase):
    """deploy/systemd's units, checked by systemd itself, with the paths a county
    uses (/srv/wenzheng, /etc/wenzheng) pointed at this checkout."""

    def test_the_units_verify_cleanly(self):
        with tempfile.TemporaryDirectory() as tmp:
            for unit in Path(settings.BASE_DIR, "deploy", "systemd").glob("*.service"):
                text = unit.read_text().replace("/srv/wenzheng", str(settings.BASE_DIR))
                text = text.replace(
                    "/etc/wenzheng/wenzheng.env", str(Path(settings.BASE_DIR, "deploy/wenzheng.env.example"))
                )
                Path(tmp, unit.name).write_text(text)
            units = sorted(str(p) for p in Path(tmp).glob("*.service"))
            self.assertEqual([Path(u).name for u in units], ["wenzheng-web.service", "wenzheng-worker.service"])
            result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        # Unknown keys and other mistakes are only warnings to systemd: none may appear.
        self.assertEqual(result.stderr.strip(), "")


class DeployFilesTest(SimpleTestCase):
    """What a county's IT person does with deploy/ works as the README says."""

    def test_the_settings_file_reads_the_same_in_a_shell_as_in_systemd(self):
        # The README runs manage.py after `set -a && . /etc/wenzheng/wenzheng.env`.
        example = Path(settings.BASE_DIR, "deploy", "wenzheng.env.example")
        result = subprocess.run(
            ["/bin/sh", "-c", 'set -a && . "$1" && set +a && env -0', "sh", str(example)],
            env={"PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=10,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        shell = dict(item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)
        documented = documented_environment()
        self.assertEqual({key: shell.get(key) for key in documented}, documented)
        self.assertEqual(documented["ADMINS"], "系统管理员 <it@example.gov.cn>")

    def test_every_folder_the_server_writes_is_writable_under_the_units_sandbox(self):
        # ProtectSystem=strict leaves the units only their State-, Cache- and
        # ReadWritePaths writable: an upload into /srv/wenzheng/var would fail.
        writable = set()
        for unit in Path(settings.BASE_DIR, "deploy", "systemd").glob("*.service"):
            text = unit.read_text()
            self.assertIn("ProtectSystem=strict", text)
            found = set()
            for key, root in (("StateDirectory", "/var/lib/"), ("CacheDirectory", "/var/cache/")):
                found |= {root + name for name in re.findall(rf"^{key}=(.+)$", text, re.M)}
            found |= set(re.findall(r"^ReadWritePaths=(.+)$", text, re.M))
            writable = found if not writable else writable & found
        documented = documented_environment()
        for setting in ("MEDIA_ROOT", "ROUTER_DIR", "MPLCONFIGDIR"):
            with self.subTest(setting):
                path = documented[setting]
                self.assertTrue(any(path == w or path.startswith(w + "/") for w in writable), (path, writable))
