"""Starting the production stack (gunicorn, nginx) for the tests, on free loopback
ports, with the settings deploy/wenzheng.env.example documents."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings

from wenzheng.testing import child_environment, database_url

DEPLOY = Path(settings.BASE_DIR, "deploy")


def documented_environment() -> dict[str, str]:
    """The settings of deploy/wenzheng.env.example, as systemd reads them (a value in
    double quotes is read without them)."""
    values = {}
    for line in (DEPLOY / "wenzheng.env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            values[key] = value
    return values


def read_when(read, text: str, *, seconds: float = 5) -> str:
    """A log as `read()` returns it, once it holds `text` (a server writes a request's
    line just after sending the response, so a client can be faster) or after 5 s."""
    deadline = time.monotonic() + seconds
    while True:
        found = read()
        if text in found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready, process: subprocess.Popen, *, seconds: float, what: str) -> None:
    """Until `ready()` is true (an OSError counts as not yet), while `process` runs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} within {seconds} s")


def wait_until_listening(port: int, process: subprocess.Popen, *, seconds: float = 30) -> None:
    def listening():
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True

    wait_until(listening, process, seconds=seconds, what=f"nothing listened on port {port}")


def wait_until_answering(port: int, process: subprocess.Popen, *, seconds: float = 90) -> None:
    """Until the application answers a request, whatever its status: gunicorn's master
    listens at once, and its workers load the application after (on a loaded test
    machine, more than the ten seconds a test gives its first request)."""

    def answering():
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(b"GET /health/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return conn.recv(16).startswith(b"HTTP/")

    wait_until(answering, process, seconds=seconds, what=f"the application on port {port} did not answer")


class Gunicorn:
    """gunicorn with deploy/gunicorn.conf.py, DEBUG off, on the test's database."""

    def __init__(self, **overrides):
        self.dir = tempfile.TemporaryDirectory()
        root = Path(self.dir.name)
        root.chmod(0o755)  # nginx's workers (another user) read the static files in it
        (root / "secret_key").write_text("k" * 10 + os.urandom(32).hex())
        (root / "secret_key").chmod(0o600)
        self.port = free_port()
        self.env = child_environment(
            **{
                **documented_environment(),
                "DATABASE_URL": database_url(),
                "SECRET_KEY_FILE": str(root / "secret_key"),
                "EVENT_CHAIN_KEY_FILE": "",  # the test's own key, from child_environment
                "STATIC_ROOT": str(root / "static"),
                "MPLCONFIGDIR": str(root / "matplotlib"),
                "BIND": f"127.0.0.1:{self.port}",
                "WEB_CONCURRENCY": "2",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{self.port}",
                "EMAIL_HOST_PASSWORD_FILE": "",
                "ADMINS": "",
                **overrides,
            }
        )
        self.static_root = root / "static"
        self.log = root / "gunicorn.log"

    def __enter__(self):
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=settings.BASE_DIR, env=self.env, check=True, timeout=120,
        )  # fmt: skip
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "wenzheng.wsgi"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        wait_until_answering(self.port, self.process)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=40)
        self.dir.cleanup()

    def output(self, *, waiting_for: str = "") -> str:
        """What the server logged; with `waiting_for`, once it holds that text (an
        access line is written just after its response is sent) or after 5 s."""
        return read_when(lambda: self.log.read_text(errors="replace"), waiting_for)


TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class Nginx:
    """deploy/nginx/wenzheng.conf in front of a Gunicorn, with a throwaway certificate:
    only the names a county replaces (ports, certificate paths, the static folder)
    are changed."""

    def __init__(self, app: Gunicorn):
        self.app = app
        self.dir = tempfile.TemporaryDirectory()
        self.root = Path(self.dir.name)
        self.http, self.https = free_port(), free_port()
        self.certificate = self.root / "cert.pem"

    def site(self) -> str:
        text = (DEPLOY / "nginx" / "wenzheng.conf").read_text()
        for old, new in [
            ("listen [::]:80;", ""),
            ("listen [::]:443 ssl http2;", ""),
            ("listen 80;", f"listen 127.0.0.1:{self.http};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https} ssl http2;"),
            ("server 127.0.0.1:8000;", f"server 127.0.0.1:{self.app.port};"),
            ("/etc/wenzheng/tls/fullchain.pem", str(self.certificate)),
            ("/etc/wenzheng/tls/privkey.pem", str(self.root / "key.pem")),
            ("/srv/wenzheng/staticfiles/", f"{self.app.static_root}/"),
            ("wz.example.gov.cn", "localhost"),
            ("/var/log/nginx/wenzheng.access.log", f"{self.root}/access.log"),
        ]:
            assert old in text, f"deploy/nginx/wenzheng.conf no longer has {old!r}"
            text = text.replace(old, new)
        return text

    def configure(self) -> Path:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(self.root / "key.pem"), "-out", str(self.certificate)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        (self.root / "wenzheng.conf").write_text(self.site())
        conf = self.root / "nginx.conf"
        conf.write_text(
            f"pid {self.root}/nginx.pid;\n"
            f"error_log {self.root}/error.log;\n"
            "events {}\n"
            "http {\n"
            "  include /etc/nginx/mime.types;\n"
            "  log_format ids '$request_id $status \"$request\"';\n"
            f"  access_log {self.root}/access.log ids;\n"
            + "".join(f"  {kind}_temp_path {self.root}/{kind};\n" for kind in TEMP_PATHS)
            + f"  include {self.root}/wenzheng.conf;\n"
            "}\n"
        )  # fmt: skip
        return conf

    def test_configuration(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["nginx", "-t", "-p", str(self.root), "-c", str(self.configure())], capture_output=True, text=True
        )

    def __enter__(self):
        conf = self.configure()
        self.process = subprocess.Popen(
            ["nginx", "-p", str(self.root), "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE
        )
        wait_until_listening(self.https, self.process)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.dir.cleanup()

    def access_log(self, *, waiting_for: str) -> str:
        return read_when(lambda: (self.root / "access.log").read_text(), waiting_for)
