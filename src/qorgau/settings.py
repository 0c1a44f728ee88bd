"""Django settings for Qorgau, configured from the environment.

Every value that differs between a laptop and production comes from an environment variable
read by one of the typed helpers below; a malformed value stops the start-up with a message
rather than being silently replaced by a default.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
# Data that the running system writes (the SQLite database, uploads) lives under ./var of the
# working directory, so a checkout is self-contained and `make demo` needs no set-up.
VAR_DIR = Path(os.environ.get("QORGAU_VAR_DIR", Path.cwd() / "var"))


def envbool(name: str, default: str) -> bool:
    """Read a boolean: 1/true/yes/on or 0/false/no/off (case-insensitive)."""
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: str) -> int:
    """Read an integer or fail loudly."""
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "0")

# The key: the environment's SECRET_KEY, else the file var/secret_key (`make demo` writes one
# with 50+ random characters, readable by its owner only), so the README's commands —
# `.venv/bin/qorgau totp-code admin` — work on the demo without DEBUG=1.
SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text(encoding="ascii").strip()
if not SECRET_KEY:
    if not DEBUG and not envbool("QORGAU_ALLOW_INSECURE_KEY", "0"):
        raise ImproperlyConfigured(
            f"SECRET_KEY is not set. Set it (50+ random characters), put it in {SECRET_KEY_FILE},"
            " or run with DEBUG=1."
        )
    # Development only: a key that is obviously not a secret.
    SECRET_KEY = "dev-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "qorgau.access.apps.QorgauAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, which FORM_RENDERER's templates override
    "qorgau.core",
    "qorgau.reference",
    "qorgau.registry",
    "qorgau.oversight",
    "qorgau.access",
    "qorgau.audit",
    "qorgau.stats",
    "qorgau.letters",
    "qorgau.campaigns",
    "qorgau.training",
    "qorgau.portal",
    "qorgau.api",
    "qorgau.demo",
    "django_otp",
    "qorgau.core.vendored_apps.TotpConfig",  # django_otp.plugins.otp_totp, named in kk/ru
    "qorgau.core.vendored_apps.AxesConfig",  # axes, named in kk/ru
    # django_tasks_db (named in kk/ru): background tasks queued in the database (TASKS below)
    "qorgau.core.vendored_apps.TasksConfig",
    "django_filters",  # the lists' filters (registry/filters.py, oversight/filters.py)
    "rest_framework",  # the API /api/v1/ (api/, docs/api.md)
    "drf_spectacular",  # its OpenAPI document
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us under the CSP
]

MIDDLEWARE = [
    # Outermost, so that every answer carries the headers, whichever middleware gave it.
    "qorgau.core.middleware.SecurityHeadersMiddleware",
    # Django's Content-Security-Policy (SECURE_CSP below), second for the same reason.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # /healthz and /readyz for the probes: before the HTTPS redirect and the host check, which a
    # probe of http://127.0.0.1:8000 would not pass (core/health.py; docs/operations.md).
    "qorgau.core.health.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files by WhiteNoise, from STATIC_ROOT (core/staticfiles.py; docs/operations.md).
    "qorgau.core.staticfiles.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language (a translated 400 page), before anything reads a cookie or a field.
    "qorgau.core.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "qorgau.access.middleware.RequireOTPMiddleware",
    "qorgau.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sets X-Frame-Options as SecurityHeadersMiddleware would (Django's deploy check wants it).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qorgau.urls"
# Forms in GOV.UK Frontend's markup (templates/forms/, templates/django/forms/widgets/).
FORM_RENDERER = "qorgau.core.forms.GovukFormRenderer"
WSGI_APPLICATION = "qorgau.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "qorgau.portal.context.portal",
                "qorgau.access.navigation.menu",
                "qorgau.oversight.context.unread",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'qorgau.sqlite3'}"
# Connections: none kept between requests by default. `runserver` answers each request in a new
# thread, and a connection kept by a thread that has ended is never reused: 11k requests left 86
# idle PostgreSQL connections and then "too many clients". Production keeps them on purpose,
# with a health check (DB_CONN_MAX_AGE=60), or uses psycopg's pool (DB_POOL=1; docs/security.md).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        conn_health_checks=True,
    )
}
# The role that owns the schema and runs `qorgau migrate` (PostgreSQL); DATABASE_URL is then the
# restricted application role that may only SELECT and INSERT the audit trail (`qorgau db-roles`).
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool("DB_POOL", "0"):
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise ImproperlyConfigured("DB_POOL=1 and DB_CONN_MAX_AGE cannot be used together.")
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": envint("DB_POOL_MIN", "2"),
        "max_size": envint("DB_POOL_MAX", "10"),
        "timeout": envint("DB_POOL_TIMEOUT", "10"),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once with "database is locked".
    # Writers queue (BEGIN IMMEDIATE) rather than fail on lock upgrade, and wait for each other.
    # Write-ahead log: readers are never blocked by the writer, so pages (an import's progress)
    # still answer while a long import holds the one write lock SQLite has.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A streaming replica of the primary (a PostgreSQL hot standby) for the statistics' reads of
# their aggregates only (core/db.py; docs/scaling.md): their figures may be seconds behind.
# Unset: no "replica" alias, and everything reads the primary. The test runner never creates a
# database there: in tests the alias mirrors the test database of "default".
REPLICA_DATABASE_URL = os.environ.get("REPLICA_DATABASE_URL", "")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_DATABASE_URL,
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("REPLICA_DATABASE_URL must name a PostgreSQL database.")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
TEST_DB_NAME = os.environ.get("QORGAU_TEST_DB_NAME")
if TEST_DB_NAME:
    DATABASES["default"]["TEST"] = {"NAME": TEST_DB_NAME}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background tasks (django.tasks) ---------------------------------------------------------
# Queued as rows of the database (django-tasks-db) and run by `qorgau db_worker`, a process of its
# own (docs/cli.md): a case CSV import uploaded in the browser is one (registry/tasks.py).
# Two queues: "default" (case imports) and "webhooks" (deliveries, api/webhooks.py), each with its
# worker (deploy/qorgau-worker.service, deploy/qorgau-webhook-worker.service), so a subscriber
# that does not answer never holds up an import.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "webhooks"],
    }
}
# An import's live progress: written by the worker every few rows while its transaction is
# open, outside the database — on SQLite that transaction holds the only write lock, and on any
# database rows written inside it are not seen before its end (registry/imports.py). A
# directory under VAR_DIR, shared by the web and the worker processes like the uploads are.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "progress",
    },
}

# --- Authentication ------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failed logins (django-axes), per username and address.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "30") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address as the audit trail sees it: behind a proxy, the address the proxy
# received from (TRUSTED_PROXY_COUNT below), never one the client wrote itself.
AXES_CLIENT_IP_CALLABLE = "qorgau.core.http.client_ip"
# One-time passwords: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "Qorgau"
# The admin's device pages never show a user's key (nor its QR code).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Kazakhstan has one time zone, UTC+5, since 2024-03-01; periods are counted in local dates.
TIME_ZONE = "Asia/Almaty"
# Dates, times and numbers per language (24-hour, thousands grouped): qorgau/core/formats/.
FORMAT_MODULE_PATH = ["qorgau.core.formats"]
USE_THOUSAND_SEPARATOR = True

# The neutral page the public site's quick exit opens (GOV.UK uses a weather page too).
PORTAL_EXIT_URL = os.environ.get("PORTAL_EXIT_URL", "https://www.gismeteo.kz/")
# Published statistics show counts from 1 to this as "<threshold+1" (docs/stats.md).
SMALL_COUNT_THRESHOLD = envint("QORGAU_SMALL_COUNT_THRESHOLD", "3")
# The public statistics are published as dated releases (docs/stats.md, "Releases"): one per
# calendar month (or quarter), each on this day of the month after its period ends.
RELEASE_CALENDAR = os.environ.get("QORGAU_RELEASE_CALENDAR", "monthly")
RELEASE_DAY = envint("QORGAU_RELEASE_DAY", "10")

# --- Static files: served from this host only, never from a CDN -----------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# `collectstatic` also writes a gzip copy of each text file, which WhiteNoise sends to browsers
# that accept it. No manifest (hashed names): pages and tests then need no collected files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Only this site's pages use them: no "Access-Control-Allow-Origin: *" (WhiteNoise's default).
WHITENOISE_ALLOW_ALL_ORIGINS = False

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", "28800")  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
# The language switch's cookie: not secret, but as guarded as the others (Lax: a link from
# elsewhere still opens the page in the chosen language).
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy, sent by Django's ContentSecurityPolicyMiddleware: only this site's own
# origin; no inline scripts, no third-party requests, no data: URLs (the one-time password's QR
# code is inline SVG). A view may send its own (evidence downloads: sandboxed).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
# Plain HTTP only where explicitly allowed: `make demo` on 127.0.0.1 sets DEBUG=1.
SECURE_COOKIES = envbool("SECURE_COOKIES", "0" if DEBUG else "1")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", "0")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies of ours stand in front of the application, each appending to
# X-Forwarded-For: the client's address is the N-th from the right (core.http.client_ip).
# 0: no proxy; the header is ignored. `qorgau check --deploy` wants it consistent with
# BEHIND_TLS_PROXY (access/checks.py).
TRUSTED_PROXY_COUNT = envint("QORGAU_TRUSTED_PROXIES", "0")
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        f"QORGAU_TRUSTED_PROXIES must be 0 or more, got {TRUSTED_PROXY_COUNT}"
    )
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# --- E-mail: the daily digest (`qorgau send-digest`, docs/worklists.md) ------------------------
# Django 6.1's MAILERS. The demo (DEBUG) prints mail on the console; otherwise SMTP, set from the
# environment. EMAIL_BACKEND names another backend (a dotted path) if needed.
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
MAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG else SMTP_BACKEND
)
MAILERS = {
    "default": {
        "BACKEND": MAIL_BACKEND,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": envint("EMAIL_PORT", "25"),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": envbool("EMAIL_USE_TLS", "0"),
            "use_ssl": envbool("EMAIL_USE_SSL", "0"),
            "timeout": envint("EMAIL_TIMEOUT", "30"),
        }
        if MAIL_BACKEND == SMTP_BACKEND
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qorgau@localhost")
# The address the digest's links start with (a command has no request to take it from).
QORGAU_BASE_URL = os.environ.get("QORGAU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Logging: errors to stderr, nothing sensitive ------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "qorgau.core.logs.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # A 403 is logged once, in one line, without a traceback (core/logs.py).
    "loggers": {
        "django.request": {"filters": ["one_line_refusals"]},
        "django.server": {"filters": ["one_line_refusals"]},
    },
}


# --- The API (api/, docs/api.md) ------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "qorgau.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["qorgau.api.auth.PolicyPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["qorgau.api.throttling.ClientRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qorgau.api.problems.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Calls per minute of one API client (or one staff session): beyond it, 429 with Retry-After.
QORGAU_API_RATE = envint("QORGAU_API_RATE", "120")
# Days an Idempotency-Key's answer is kept and replayed (api/idempotency.py): a retry after
# them is a new request. A week, not Stripe's 24 hours: the callers are state systems whose
# queues are retried after a weekend or a holiday outage, and a forgotten key there means a
# second case; a key is one small row per POST. `qorgau api-client purge-idempotency` deletes
# the expired rows.
QORGAU_IDEMPOTENCY_DAYS = envint("QORGAU_IDEMPOTENCY_DAYS", "7")
if QORGAU_IDEMPOTENCY_DAYS < 1:
    raise ImproperlyConfigured(
        f"QORGAU_IDEMPOTENCY_DAYS must be 1 or more, got {QORGAU_IDEMPOTENCY_DAYS}"
    )
# Webhooks (api/webhooks.py, docs/api.md#webhooks): deliveries go only to these hosts (a name, or
# ".example.kz" for a domain and its subdomains; "*" is refused), over HTTPS unless HTTP is
# allowed (a test or a closed network), with this timeout in seconds; redirects are not followed.
QORGAU_WEBHOOK_HOSTS = envlist("QORGAU_WEBHOOK_HOSTS", "")
QORGAU_WEBHOOK_ALLOW_HTTP = envbool("QORGAU_WEBHOOK_ALLOW_HTTP", "0")
QORGAU_WEBHOOK_TIMEOUT = envint("QORGAU_WEBHOOK_TIMEOUT", "10")
SPECTACULAR_SETTINGS = {
    "TITLE": "Qorgau API",
    "DESCRIPTION": "Cases, reports, statistics, releases, campaign activities and reference data "
    "for other state systems. Guide: docs/api.md.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"CaseStatusEnum": "qorgau.registry.choices.CaseStatus"},
    # The default hook, then the OpenAPI links between operations (api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "qorgau.api.schema.add_links",
    ],
}
