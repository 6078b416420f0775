"""Settings for wenzheng.

Everything that differs between deployments comes from the environment, read by the
small typed helpers below, which fail loudly on a malformed value. Unset, the project
runs as the embedded demo: SQLite in the working directory, debug on.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_hour(name: str, default: int) -> int:
    hour = env_int(name, default)
    if not 0 <= hour <= 23:
        raise ImproperlyConfigured(f"{name} must be an hour of the day, 0 to 23, not {hour}")
    return hour


def env_rate(name: str, default: str) -> tuple[int, int]:
    """RATE_LIMIT_POST="20/1h" → (20, 3600): at most 20 in each window of an hour
    (s, m, h or d)."""
    raw = env_str(name, default).strip()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        count, span = raw.split("/")
        seconds = int(span[:-1] or 1) * units[span[-1]]
        value = (int(count), seconds)
    except (ValueError, KeyError, IndexError):
        raise ImproperlyConfigured(f"{name} must look like 20/1h (a count per s, m, h or d), not {raw!r}") from None
    if value[0] < 1 or value[1] < 1:
        raise ImproperlyConfigured(f"{name} must allow at least 1 per window, not {raw!r}")
    return value


def env_secret(name: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (kept out of the
    environment of every process and out of `ps`)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {e.strerror}") from None
    return os.environ.get(name, "")


def env_admins(name: str) -> list[tuple[str, str]]:
    """ADMINS="Name <name@example.org>, other@example.org" → Django's (name, e-mail) pairs."""
    pairs = []
    for item in env_list(name, ""):
        if "<" in item and item.endswith(">"):
            person, address = item[:-1].split("<", 1)
            pairs.append((person.strip() or address.strip(), address.strip()))
        else:
            pairs.append((item, item))
    for _, address in pairs:
        if "@" not in address:
            raise ImproperlyConfigured(f"{name}: {address!r} is not an e-mail address")
    return pairs


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY or SECRET_KEY_FILE must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-for-the-demo-county-only"  # noqa: S105 (DEBUG only)
# The key of the event log's hashes (wenzheng.eventlog.hashing): kept outside the
# database, so that whoever can write the database cannot rewrite the log unseen.
# In development, var/event_chain_key (made by `make setup`) or a fixed key.
EVENT_CHAIN_KEY = env_secret("EVENT_CHAIN_KEY")
if not EVENT_CHAIN_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("EVENT_CHAIN_KEY or EVENT_CHAIN_KEY_FILE must be set when DEBUG is off")
    local_key = BASE_DIR / "var" / "event_chain_key"
    EVENT_CHAIN_KEY = local_key.read_text().strip() if local_key.is_file() else "insecure-development-chain-key"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# The origins a form may be posted from when they differ from the Host header (behind
# a proxy that rewrites it): "https://wz.example.gov.cn".
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "wenzheng.ops.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so `runserver` serves static files as production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    # django-simple-captcha, without its translations (see the class).
    "wenzheng.security.apps.CaptchaConfig",
    "wenzheng.accounts",
    "wenzheng.units",
    "wenzheng.workdays",
    "wenzheng.eventlog",
    "wenzheng.handling",
    "wenzheng.topics",
    "wenzheng.hotspots",
    "wenzheng.duplicates",
    "wenzheng.supervision",
    "wenzheng.privacy",
    "wenzheng.search",
    "wenzheng.attachments",
    "wenzheng.reports",
    "wenzheng.public",
    "wenzheng.demo",
    "wenzheng.workspace",
    "wenzheng.evaluation",
    "wenzheng.api",
    "wenzheng.bulk",
    "wenzheng.ops",
    "wenzheng.notifications",
    "wenzheng.security",
]

MIDDLEWARE = [
    # First: every log line written while serving a request carries its id.
    "wenzheng.ops.middleware.request_id",
    "wenzheng.ops.middleware.real_client_ip",
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware, as whitenoise asks: static files skip the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A database that loses acknowledged commits: every request refused (or logged).
    "wenzheng.ops.durability.guard",
    "wenzheng.security.middleware.idle_timeout",
    "wenzheng.security.middleware.temporary_password",
    "wenzheng.ops.middleware.refuse_nul",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside the security headers' middleware, so the page it puts in place keeps them.
    "wenzheng.ops.middleware.explain_method_not_allowed",
    "wenzheng.ops.middleware.ServerNotReadyMiddleware",
    # Which database a request reads from, where a replica is configured.
    "wenzheng.ops.replica.ReplicaMiddleware",
    # Anonymous public pages from the cache, made afresh after every event of their
    # region (wenzheng.lib.pagecache); inside the security headers, which it keeps.
    "wenzheng.lib.pagecache.PublicPageCache",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wenzheng.urls"
WSGI_APPLICATION = "wenzheng.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home-for-role"
LOGOUT_REDIRECT_URL = "public:home"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hour
# The pair is locked, never the name alone (anyone could lock `county` out from
# anywhere) nor the address alone (an office behind one NAT would be shut out).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address as wenzheng.ops.middleware.real_client_ip set it (REAL_IP_HEADER).
AXES_CLIENT_IP_CALLABLE = "wenzheng.security.audit.client_ip"
# After this many failed sign-ins from one address (any name), the form asks for a CAPTCHA.
LOGIN_CAPTCHA_AFTER = env_int("LOGIN_CAPTCHA_AFTER", 3, minimum=1)
# The CAPTCHA: a small sum drawn by the server (django-simple-captcha), no outside service.
# Only the operations its hint names (wenzheng.security.captcha.OPERATIONS).
CAPTCHA_CHALLENGE_FUNCT = "wenzheng.security.captcha.challenge"
CAPTCHA_TIMEOUT = 10  # minutes
# Drawn at twice the 180×64 CSS pixels its widget shows it at (sharp on a phone's
# screen), one image for every screen; digits tilted little enough to read as themselves.
CAPTCHA_IMAGE_SIZE = (360, 128)
CAPTCHA_FONT_SIZE = 72
CAPTCHA_LETTER_ROTATION = (-15, 16)
CAPTCHA_2X_IMAGE = False

# Sessions end after a while without activity (wenzheng.security.middleware): staff,
# who can open citizens' contact details, after 30 minutes; citizens after a week.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30, minimum=1)
CITIZEN_SESSION_IDLE_HOURS = env_int("CITIZEN_SESSION_IDLE_HOURS", 168, minimum=1)

# What to do when the database does not keep acknowledged commits (wenzheng.ops.durability):
# "refuse" (503 on every request, the worker will not start) or "warn" (log and serve).
DURABILITY_CHECK = env_str("DURABILITY_CHECK", "refuse")
if DURABILITY_CHECK not in ("refuse", "warn"):
    raise ImproperlyConfigured(f"DURABILITY_CHECK must be refuse or warn, not {DURABILITY_CHECK!r}")
# SQLite's synchronous level: FULL syncs the write-ahead log at every commit (NORMAL
# can lose the last commits on a power cut).
SQLITE_SYNCHRONOUS = env_str("SQLITE_SYNCHRONOUS", "FULL").upper()
if SQLITE_SYNCHRONOUS not in ("OFF", "NORMAL", "FULL", "EXTRA"):
    raise ImproperlyConfigured(f"SQLITE_SYNCHRONOUS must be FULL, EXTRA, NORMAL or OFF, not {SQLITE_SYNCHRONOUS!r}")

# Scripts only from our own origin (htmx is vendored), no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "wenzheng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wenzheng.public.context.site",
                "wenzheng.notifications.context.bell",
            ],
        },
    },
]


# One variable selects the database: DATABASE_URL (postgres://user:pass@host/db, or
# sqlite:///path). Unset, SQLite in the working directory.
# Connections are kept between requests (DB_CONN_MAX_AGE seconds), each checked before
# a request uses it (a database restarted meanwhile costs a reconnect, not an error);
# SQLite's PRAGMAs below run once per connection, not once per request.
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 600)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=DB_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
# A PostgreSQL streaming replica: public pages, statistics, reports and exports read
# from it; writes, and reads that must see their own writes, go to the primary
# (wenzheng.ops.replica). Reads fall back to the primary while it does not answer.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["wenzheng.ops.replica.ReplicaRouter"]
# PostgreSQL: a statement the app runs through a server-binding cursor (the search's
# reading statement, wenzheng.search.engines.prepared_cursor, and a ranked page's read
# by its ids, PostgresEngine.read) is prepared on its connection on its first run
# (engines.prepared_at_once), and planned once, not on every search. Django's other
# queries bind on the client and are never prepared. 0 turns prepared statements off
# (a pooler in transaction mode older than PgBouncer 1.21, which cannot keep them);
# any other number is psycopg's threshold, which no statement of the app waits for.
DB_PREPARE_THRESHOLD = env_int("DB_PREPARE_THRESHOLD", 5)
# PostgreSQL's JIT compilation, off unless DB_JIT=true: it compiles a statement whose
# estimated cost passes jit_above_cost, which costs 40-100 ms before the first row;
# the app's statements are a page's, done in milliseconds. At a city's million
# messages a unit's inbox under the access rule (accounts.policy.handled_by) crossed
# that line and took twice as long with it (BENCHMARKS.md, "A unit's access rule");
# the evaluation's counting was no slower without it.
DB_JIT = env_bool("DB_JIT", False)
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _options = _database.setdefault("OPTIONS", {})
        _options["prepare_threshold"] = DB_PREPARE_THRESHOLD or None
        if not DB_JIT:
            _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# How long after a visitor's own write (a POST) their reads stay on the primary.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 15)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction begins, so two writers
        # queue on busy_timeout instead of one failing with "database is locked" when
        # it upgrades a read lock midway through.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            f"PRAGMA journal_mode=WAL;PRAGMA synchronous={SQLITE_SYNCHRONOUS};PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    # Tests use a file, not :memory:, so the threads of the concurrency tests and the
    # browser tests' live server share it; one file per test run, so runs side by side
    # never trample each other's.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}

# The cache of public pages (wenzheng.lib.pagecache) and anything else kept a while:
# the database by default, so the servers of a county share it with nothing more to
# run; CACHE_URL=redis://host:6379/0 a Redis server (pip install redis), locmem://
# one process's memory (tests of a single process only).
CACHE_URL = env_str("CACHE_URL", "db://wenzheng_cache")


def cache_from_url(url: str) -> dict:
    scheme, _, rest = url.partition("://")
    if scheme == "db":
        # Many pages: cull a third when full, rarely, rather than a third of 300 often.
        options = {"MAX_ENTRIES": 50_000, "CULL_FREQUENCY": 3}
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": rest or "wenzheng_cache",
            "OPTIONS": options,
        }
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest or "wenzheng"}
    raise ImproperlyConfigured(f"CACHE_URL must start with db://, redis://, rediss:// or locmem://, not {url!r}")


CACHES = {"default": cache_from_url(CACHE_URL)}
# Anonymous public pages served from that cache (on unless PUBLIC_PAGE_CACHE=false).
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's rules, their help worded as the site's (您, not 你: wenzheng.accounts.validators).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "wenzheng.accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "wenzheng.accounts.validators.MinimumLengthValidator"},
    {"NAME": "wenzheng.accounts.validators.CommonPasswordValidator"},
    {"NAME": "wenzheng.accounts.validators.NumericPasswordValidator"},
]

# The interface is Simplified Chinese. Times are stored in UTC; the county's zone is
# used for display and for working-day arithmetic (see wenzheng.workdays.clock).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# The longest message body, reply or follow-up accepted anywhere (the citizen's form,
# the unit's reply, the API, imports), in characters. Messages and replies exported
# from peer platforms reach 8,000; a long reply may quote the rules it rests on.
MESSAGE_TEXT_MAX_CHARS = env_int("MESSAGE_TEXT_MAX_CHARS", 20_000, minimum=1)

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "wenzheng" / "static"]
# Photos and documents attached to messages and replies (wenzheng.attachments): a
# folder outside the code by default; an S3-compatible store (django-storages) when
# several servers serve one county. Never served from a public URL: a view checks
# who may see each file.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024
ATTACHMENT_STORAGE = env_str("ATTACHMENT_STORAGE", "local")
if ATTACHMENT_STORAGE == "local":
    _attachments = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # in MEDIA_ROOT
elif ATTACHMENT_STORAGE == "s3":
    _attachments = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", ""),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", ""),
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY"),
            # Private objects, fetched by the server only: no public or signed URLs.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": env_str("S3_PREFIX", ""),
            # A store of one's own (MinIO, a cloud's S3-compatible service) is addressed
            # by path (https://host/bucket/key) unless told otherwise.
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path" if env_str("S3_ENDPOINT_URL", "") else "")
            or None,
        },
    }
    if not _attachments["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("ATTACHMENT_STORAGE=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for a non-AWS store)")
else:
    raise ImproperlyConfigured(f"ATTACHMENT_STORAGE must be local or s3, not {ATTACHMENT_STORAGE!r}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "attachments": _attachments,
    # In production, `collectstatic` writes hashed, gzipped copies that whitenoise
    # serves with far-future cache headers; in development the files as they are.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development (and tests), whitenoise finds files where they are written, as
# runserver does; in production only what collectstatic put in STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# HTTPS: on by default in production, where a proxy (deploy/nginx) ends TLS and says
# so in a header. `make run` turns it off: it serves plain HTTP on the loopback.
HTTPS = env_bool("HTTPS", not DEBUG)
# The header the proxy sets on requests that came in over HTTPS, e.g.
# PROXY_SSL_HEADER=X-Forwarded-Proto (deploy/nginx sets it). Only behind a proxy that
# overwrites it: a client could send it too.
if env_str("PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + env_str("PROXY_SSL_HEADER", "").upper().replace("-", "_"), "https")
# The header the proxy puts the client's address in (deploy/nginx: X-Real-IP), so
# login throttling and logs see the citizen, not the proxy. Unset: the peer address.
REAL_IP_HEADER = env_str("REAL_IP_HEADER", "")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^health/ready/$"]  # the service manager checks over loopback
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000) if HTTPS else 0
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SILENCED_SYSTEM_CHECKS = [
    # HSTS for subdomains and the browsers' preload list commit every host under the
    # domain; a county's site is usually one host of a government domain it does not run.
    "security.W005",
    "security.W021",
]

# E-mail (error reports to ADMINS, notices): SMTP when EMAIL_HOST is set, files in
# EMAIL_FILE_PATH when that is, otherwise printed to the log.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
    if EMAIL_FILE_PATH
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "wenzheng@localhost")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Who is mailed each server error (with its request id); errors are logged whether or not.
ADMINS = env_admins("ADMINS")

# Uploaded import files hold citizens' names and phone numbers: the worker deletes them
# this many days after their job finished.
IMPORT_FILE_RETENTION_DAYS = env_int("IMPORT_FILE_RETENTION_DAYS", 30, minimum=1)

# Routing suggestions (智能分拨): `manage.py train_router` writes versioned model files
# here, and the worker and the dispatch queue read the newest one. Trained only on this
# deployment's own messages; nothing is downloaded.
ROUTER_DIR = Path(env_str("ROUTER_DIR", str(BASE_DIR / "var" / "router")))

# Hot issues (热点问题, wenzheng.hotspots): the worker recomputes each county's groups
# this often; a group needs this many messages in a window to be shown; two messages
# are about the same problem from this cosine similarity of their texts (0–1) on.
HOTSPOT_EVERY_MINUTES = env_int("HOTSPOT_EVERY_MINUTES", 60, minimum=1)
HOTSPOT_MIN_MESSAGES = env_int("HOTSPOT_MIN_MESSAGES", 3, minimum=2)
try:
    HOTSPOT_SIMILARITY = float(env_str("HOTSPOT_SIMILARITY", "0.15"))
except ValueError:
    raise ImproperlyConfigured("HOTSPOT_SIMILARITY must be a number between 0 and 1") from None
if not 0 < HOTSPOT_SIMILARITY < 1:
    raise ImproperlyConfigured(f"HOTSPOT_SIMILARITY must be between 0 and 1, not {HOTSPOT_SIMILARITY}")

# Each process keeps the working-day calendar in memory and looks at most this often
# whether it was changed elsewhere (tests look every time: their transactions roll back).
WORKDAY_CALENDAR_CHECK_SECONDS = float(env_str("WORKDAY_CALENDAR_CHECK_SECONDS", "1"))

# The background worker (`manage.py work`): a running item whose heartbeat is older
# than this is taken as abandoned by a killed worker and claimed again.
WORK_STALE_AFTER = env_int("WORK_STALE_AFTER", 300)  # seconds

# Records of who saw a citizen's contact details are kept this many days, then pruned
# by the worker; never fewer than 181 (网络安全法 art. 21 and 等保 2.0 ask for six months).
ACCESS_RECORD_RETENTION_DAYS = env_int("ACCESS_RECORD_RETENTION_DAYS", 365)
if ACCESS_RECORD_RETENTION_DAYS < 181:
    raise ImproperlyConfigured(f"ACCESS_RECORD_RETENTION_DAYS must be at least 181, not {ACCESS_RECORD_RETENTION_DAYS}")

# An API token works this many days from its creation (made again on the tokens page):
# a key copied into a script and forgotten does not work for ever.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 180, minimum=1)

# Rate limits (wenzheng.security.limits): attempts per client address (and account)
# in fixed windows, counted in the database by every worker together; from
# RATE_LIMIT_CAPTCHA_FROM of a limit on, the form asks for a CAPTCHA; past it, 429.
RATE_LIMITS = {
    "post": env_rate("RATE_LIMIT_POST", "20/1h"),
    "signup": env_rate("RATE_LIMIT_SIGNUP", "10/1h"),
    "track": env_rate("RATE_LIMIT_TRACK", "30/10m"),
    "login": env_rate("RATE_LIMIT_LOGIN", "30/15m"),
}
RATE_LIMIT_CAPTCHA_FROM = float(env_str("RATE_LIMIT_CAPTCHA_FROM", "0.5"))
if not 0 < RATE_LIMIT_CAPTCHA_FROM <= 1:
    raise ImproperlyConfigured(f"RATE_LIMIT_CAPTCHA_FROM must be above 0 and at most 1, not {RATE_LIMIT_CAPTCHA_FROM}")

# Notices (wenzheng.notifications). Links in e-mail and SMS lead to SITE_URL.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# SMS through a gateway backend: printed to the log by default, one JSON line per SMS
# in a file per day under SMS_FILE_PATH when that is set, or the 云片 (Yunpian) HTTP
# gateway (wenzheng.notifications.sms.YunpianBackend) with its API key.
SMS_FILE_PATH = env_str("SMS_FILE_PATH", "")
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "wenzheng.notifications.sms.FileBackend" if SMS_FILE_PATH else "wenzheng.notifications.sms.ConsoleBackend",
)
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "https://sms.yunpian.com/v2/sms/single_send.json")
SMS_HTTP_APIKEY = env_secret("SMS_HTTP_APIKEY")
SMS_SIGNATURE = env_str("SMS_SIGNATURE", "")  # e.g. 【罗城网络问政】: the gateway wants it first
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10)  # seconds
# Reminders come at NOTICE_HOUR on working days, the daily digest at DIGEST_HOUR (the
# county's local time); the county office hears of messages overdue by
# NOTICE_OFFICE_OVERDUE_DAYS working days.
NOTICE_HOUR = env_hour("NOTICE_HOUR", 9)
DIGEST_HOUR = env_hour("DIGEST_HOUR", 17)
NOTICE_OFFICE_OVERDUE_DAYS = max(1, env_int("NOTICE_OFFICE_OVERDUE_DAYS", 3))
# A failed e-mail or SMS is tried again after NOTICE_RETRY_SECONDS, four times as long
# each time after, NOTICE_MAX_ATTEMPTS times in all.
NOTICE_MAX_ATTEMPTS = max(1, env_int("NOTICE_MAX_ATTEMPTS", 5))
NOTICE_RETRY_SECONDS = max(1, env_int("NOTICE_RETRY_SECONDS", 60))
# A proposed written-explanation order gives the unit this many working days to clear
# its backlog.
PROPOSAL_BACKLOG_DAYS = max(1, env_int("PROPOSAL_BACKLOG_DAYS", 10))

# Every log line goes to stderr (the journal, under systemd) with the id of the
# request it was written for. Errors of django.request are logged here, not only mailed.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "wenzheng.ops.middleware.RequestIdFilter"},
        "client_errors": {"()": "wenzheng.ops.middleware.ClientErrorFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "client_errors"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console", "mail_admins"], "level": LOG_LEVEL, "propagate": False},
        # runserver's own request lines, as Django prints them.
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "wenzheng": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
