"""Settings for Intake: one file, read from the environment, loud on a bad value.

Every value that differs between a laptop, CI and production comes from an environment
variable (see the table in README.md). A malformed value raises ImproperlyConfigured naming
the variable, so a misconfigured deployment fails at start-up rather than at 3 a.m.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    # An empty value counts as unset (dj_database_url chokes on DATABASE_URL="").
    value = os.environ.get(name, "")
    return value if value.strip() else default


def envbool(name: str, default: bool) -> bool:
    raw = env(name)
    if not raw:
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def envint(name: str, default: int) -> int:
    raw = env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
# Under pytest the test conveniences (fast hashing, no HTTPS redirect) switch on by themselves.
TESTING = envbool("TESTING", "pytest" in sys.modules)

SECRET_KEY = env("SECRET_KEY")
# Local use needs no key: tests, DEBUG=true, and a management command run with DEBUG unset (the
# README's examples, pasted as they are; manage.py marks its runs) on the embedded SQLite
# database. A web server (config.wsgi / config.asgi), an explicit DEBUG=false, or a command
# against a DATABASE_URL (a production database, whose audit trail a development key would
# sign wrongly) never starts without one, and `check --deploy` flags the development key.
LOCAL_COMMAND = (
    os.environ.get("INTAKE_ENTRY_POINT") == "manage.py"
    and not env("DEBUG")
    and not env("DATABASE_URL")
)
if not SECRET_KEY:
    if not (DEBUG or TESTING or LOCAL_COMMAND):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Set DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

# The audit trail's key (intake/services/audit.py): each record carries an HMAC-SHA256 of its
# contents and of its predecessor's MAC, so that nobody who can write to the database but does
# not hold this key can edit, delete or rewrite records undetected. Deliberately not derived
# from SECRET_KEY: SECRET_KEY is rotated after a leak (and known to whoever runs the app), which
# would orphan the chain; the audit key can be held apart, by whoever answers for the records.
# Rotation: give the new key a new AUDIT_KEY_ID and move the old one to AUDIT_RETIRED_KEYS
# ("id:key,id:key"); each record names the key id that signed it.
AUDIT_KEY = env("AUDIT_KEY")
AUDIT_KEY_ID = env("AUDIT_KEY_ID", "1")
# A build step (`collectstatic`, `compilemessages`) writes no audit record, and an image build
# should hold no runtime secret: it runs without the key, which stays None so that any use of it
# fails loudly rather than signing with something else.
BUILD_COMMAND = os.environ.get("INTAKE_ENTRY_POINT") == "manage.py" and sys.argv[1:2] in (
    ["collectstatic"],
    ["compilemessages"],
)
if not AUDIT_KEY:
    if BUILD_COMMAND and not (DEBUG or TESTING or LOCAL_COMMAND):
        AUDIT_KEY = None
    elif not (DEBUG or TESTING or LOCAL_COMMAND):
        raise ImproperlyConfigured(
            "AUDIT_KEY must be set when DEBUG is off: a random secret of 32 characters or more, "
            "kept outside the database and apart from SECRET_KEY (it signs the audit trail)."
        )
    else:
        AUDIT_KEY = "insecure-development-audit-key"
        AUDIT_KEY_ID = "dev"
elif not (DEBUG or TESTING) and (len(AUDIT_KEY) < 32 or AUDIT_KEY == SECRET_KEY):
    raise ImproperlyConfigured(
        "AUDIT_KEY must be 32 characters or more and differ from SECRET_KEY."
    )
AUDIT_RETIRED_KEYS = {}
for _item in envlist("AUDIT_RETIRED_KEYS"):
    _kid, _sep, _secret = _item.partition(":")
    if not (_sep and _kid.strip() and _secret):
        raise ImproperlyConfigured("AUDIT_RETIRED_KEYS must read id:key,id:key.")
    AUDIT_RETIRED_KEYS[_kid.strip()] = _secret
if len(AUDIT_KEY_ID) > 16 or any(len(kid) > 16 for kid in AUDIT_RETIRED_KEYS):
    raise ImproperlyConfigured("Audit key ids are at most 16 characters.")
# Signed checkpoints of the chain's head (`verify_audit --checkpoint`, nightly): they reveal the
# deletion of the newest records. Keep this directory off the database's host (or ship the
# file, and the "audit checkpoint" log lines, to write-once storage).
AUDIT_CHECKPOINT_DIR = Path(env("AUDIT_CHECKPOINT_DIR", str(BASE_DIR / "var" / "audit")))

# `make backup` writes here (pg_dump -Fc or SQLite's backup API); see intake/services/backup.py.
BACKUP_DIR = Path(env("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "intake.admin_site.IntakeAdminConfig",  # django.contrib.admin, with a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "two_factor",
    "intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "intake.middleware.RequestLimitsMiddleware",
    "intake.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "intake.middleware.LocaleMiddleware",  # Django's; staff pages stay English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "intake.middleware.MessageMiddleware",  # Django's, its storage class imported once
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "intake.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, its header built once
    "intake.middleware.StaffSessionTimeoutMiddleware",
    "intake.middleware.PatientSessionMiddleware",
    "intake.staff.second_factor.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "intake.context_processors.site",
                # After Django's built-in csrf processor: the same lazy token, drawn cheaper.
                "intake.csrf.csrf",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if _db.get("ENGINE") == "django.db.backends.postgresql":
        # Django's backend with a cheaper per-request health check (intake/db/postgresql).
        _db["ENGINE"] = "intake.db.postgresql"
        if envbool("DATABASE_POOL", False):
            # psycopg's pool lives inside each process; several gunicorn workers share nothing.
            _db["OPTIONS"] = {"pool": {"min_size": 1, "max_size": envint("DATABASE_POOL_MAX", 8)}}
        else:
            _db["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", 60)
        # A database that does not answer gives a 503 within seconds, not a hung worker.
        _db.setdefault("OPTIONS", {})["connect_timeout"] = envint("DATABASE_CONNECT_TIMEOUT", 5)
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / env("SQLITE_NAME", "db.sqlite3"),
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": False},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# {% cache %} fragments (the shell's crisis banner, header and footer, the landing's text: the
# same for everyone, per language) stay in this process's memory in every mode: a hit costs a
# dictionary lookup, not a round trip to Redis, and nothing from one person is ever stored.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "TIMEOUT": None,
}

# --- Background work: Celery with Redis as the broker (config/celery.py) -------------------
# Without a broker URL, tasks run inline in the process that sends them (`make run` on a bare
# machine). Task arguments are ids only: no name or health detail ever goes into Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = TESTING
# Nothing reads task results: the database rows are the record of what happened.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or None
# A task is acknowledged when it ends, and handed back if its worker process dies mid-way.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that cannot reach Redis gives up quickly; the alert sweep sends what it missed.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 3, "socket_connect_timeout": 3}
CELERY_TIMEZONE = env("TIME_ZONE", "America/New_York")  # the nightly jobs run at night here
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / ".celerybeat-schedule")
)

# --- Alerts (intake/alerts/) ---------------------------------------------------------------
# A shared on-call inbox that gets every alert, besides staff who switched alerts on.
ALERT_EMAILS = envlist("ALERT_EMAILS")
# Where the link in an alert points (staff pages, login required).
SITE_URL = env("SITE_URL", "http://localhost:8000").rstrip("/")
# The sender behind the alert interface (e-mail today; SMS or a pager webhook later).
ALERT_SENDER = env("ALERT_SENDER", "intake.alerts.senders.EmailSender")
# Seconds between attempts after a failed send: 1, 2, 5, 10, 30 minutes, then every 30 minutes
# (the last value repeats) until ALERT_GIVE_UP_HOURS have passed; then the alert is "failed".
ALERT_RETRY_DELAYS = [int(v) for v in envlist("ALERT_RETRY_DELAYS", "60,120,300,600,1800")]
ALERT_GIVE_UP = timedelta(hours=envint("ALERT_GIVE_UP_HOURS", 24))
# The sweep (every ALERT_SWEEP_SECONDS on beat) re-sends alerts still pending this long after
# they were due: a lost task, a Redis restart or a dead worker delays an alert, never loses it.
ALERT_SWEEP_SECONDS = envint("ALERT_SWEEP_SECONDS", 60)
ALERT_SWEEP_GRACE = timedelta(seconds=envint("ALERT_SWEEP_GRACE_SECONDS", 120))
ALERT_SMTP_TIMEOUT = envint("ALERT_SMTP_TIMEOUT", 20)

# Beat: one per deployment. Every task here is safe if beat ever runs twice.
CELERY_BEAT_SCHEDULE = {
    "alerts-sweep": {
        "task": "intake.tasks.alerts_sweep",
        "schedule": float(ALERT_SWEEP_SECONDS),
    },
    "purge-drafts": {
        "task": "intake.tasks.purge_drafts",
        "schedule": crontab(hour=3, minute=15),
    },
    "verify-audit": {
        "task": "intake.tasks.verify_audit",
        "schedule": crontab(hour=2, minute=30),
    },
}

# The open queue refreshes its rows in place this often (seconds).
QUEUE_POLL_SECONDS = envint("QUEUE_POLL_SECONDS", 25)

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "intake.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with the permissions in one query; ModelBackend itself stays listed for the
    # sessions signed in through it (see intake/staff/auth_backend.py).
    "intake.staff.auth_backend.OneQueryPermissionsBackend",
    "django.contrib.auth.backends.ModelBackend",
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
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:queue"
LOGOUT_REDIRECT_URL = "staff:login"

# Staff sessions: idle ones end after 15 minutes (middleware), every one after 12 hours.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 60 * 60)
STAFF_IDLE_TIMEOUT = envint("STAFF_IDLE_TIMEOUT", 15 * 60)
# Patients (no login): the cookie ends when the browser closes, and the session after this many
# seconds without a request; the private resume link is the way back (PatientSessionMiddleware).
PATIENT_IDLE_TIMEOUT = envint("PATIENT_IDLE_TIMEOUT", 30 * 60)
# Django's database sessions on intake's own table, read with the patient's draft (one query)
# and an existing one written in one statement (intake/sessions.py).
SESSION_ENGINE = "intake.sessions"

# Second factor (django-two-factor-auth on django-otp; see intake/staff/second_factor.py).
# The admin keeps its own login page (the password step); the middleware asks for the code.
TWO_FACTOR_PATCH_ADMIN = False
TWO_FACTOR_QR_FACTORY = "qrcode.image.svg.SvgPathImage"  # an SVG served by this app
OTP_TOTP_ISSUER = env("CENTER_NAME", "Riverbend Recovery Center")
# django-otp's own "verified only" pages send an unverified user to the code page (which sends
# one with no device on to enrolment), never to the login page: that would loop.
OTP_LOGIN_URL = "staff:verify"
# The device admin never shows a secret or a backup code, superusers included.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# django-axes (intake/staff/lockout.py): an account is locked after 5 failed sign-ins from
# anywhere, an address after 5 failed sign-ins on any accounts; stored in the database so
# every app instance sees the same count. A success clears that account's own failures only.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_LOCKOUT_CALLABLE = "intake.staff.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = envint("PROXY_COUNT", 0)

# --- Request sizes ------------------------------------------------------------------------
# The largest form (the intake's longest page, a note of 5,000 characters) is a few KB. Bodies
# over REQUEST_BODY_MAX get a kind 413 page, multipart bodies a 415 (no form takes a file);
# the proxy should refuse them first (README, "Running in production").
REQUEST_BODY_MAX = envint("REQUEST_BODY_MAX", 256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX
DATA_UPLOAD_MAX_NUMBER_FILES = 0
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
# The patient pages speak English and Spanish (chosen from Accept-Language or the switch on
# every public page); staff pages and the admin stay English (intake.middleware). Each
# language names itself, so a person finds their own whatever the page's language.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The choice lasts for the visit: a cookie that ends when the browser closes.
LANGUAGE_COOKIE_AGE = None
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "America/New_York")

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# In development and tests whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Django's widget templates, rendered by Python functions that write the same HTML (about 160
# template renders a wizard page otherwise; see intake/forms_renderer.py and docs/performance.md).
FORM_RENDERER = "intake.forms_renderer.WidgetRenderer"

# Django's FallbackStorage (cookie, then session), its cookie signer made only when a page has
# a message (intake/message_storage.py).
MESSAGE_STORAGE = "intake.message_storage.FallbackStorage"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "intake@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG and not TESTING
CSRF_COOKIE_SECURE = not DEBUG and not TESTING
LANGUAGE_COOKIE_SECURE = not DEBUG and not TESTING
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # CSRF_COOKIE_HTTPONLY is on; the check only warns that it adds little.
]

# Content Security Policy (django-csp 4): nothing from another host, ever.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# None, not unset: django-csp asks for it on every response, and an unset setting is an
# AttributeError each time.
CONTENT_SECURITY_POLICY_REPORT_ONLY = None

# --- Logging: no health details, ever. Request bodies and query strings are never logged. ----
# Resume tokens and query-string values (a staff search is a patient's name) are redacted from
# every line the console handler writes (intake/log_redaction.py; gunicorn:
# config/gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "intake.log_redaction.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
    },
}

# --- The product --------------------------------------------------------------------------
CENTER_NAME = env("CENTER_NAME", "Riverbend Recovery Center")
CENTER_PHONE = env("CENTER_PHONE", "1-800-555-0142")
DRAFT_TTL = timedelta(days=envint("DRAFT_TTL_DAYS", 7))
INTAKE_THROTTLE_PER_HOUR = envint("INTAKE_THROTTLE_PER_HOUR", 30)
RESUME_THROTTLE_PER_HOUR = envint("RESUME_THROTTLE_PER_HOUR", 30)
# Minutes from submission to the first contact attempt, by urgency: the escalation when there is
# one, otherwise the track (intake/followup.py). FIRST_CONTACT_TARGET_<URGENCY>_MINUTES overrides.
FIRST_CONTACT_TARGETS = {
    urgency: envint(f"FIRST_CONTACT_TARGET_{urgency.upper()}_MINUTES", minutes)
    for urgency, minutes in {
        "emergency": 15,
        "crisis": 30,
        "detox": 120,
        "inpatient": 240,
        "outpatient": 1440,
    }.items()
}
for _urgency, _minutes in FIRST_CONTACT_TARGETS.items():
    if _minutes <= 0:
        raise ImproperlyConfigured(
            f"FIRST_CONTACT_TARGET_{_urgency.upper()}_MINUTES must be more than 0, not {_minutes}."
        )
# E-mailing the resume link: each one sends a message, so fewer per address and hour.
RESUME_EMAIL_THROTTLE_PER_HOUR = envint("RESUME_EMAIL_THROTTLE_PER_HOUR", 5)

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
