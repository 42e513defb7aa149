"""Kefu settings: every value comes from an environment variable (see docs/operations.md).

Defaults give a working single-machine install (SQLite and an SQLite task queue under var/).
With KEFU_DEBUG off, settings that production must set explicitly fail fast.
"""

import json
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

# Django's generic classes (ModelAdmin[Staff], ModelForm[…]) subscriptable at run time, as mypy wants them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KEFU_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("KEFU_DEBUG", False)


def _secret_key() -> str:
    key = env_str("KEFU_SECRET_KEY")
    if key:
        return key
    if env_bool("KEFU_PRODUCTION", False):
        # Fail before generating a key file that production would never use (see the end).
        raise ImproperlyConfigured("KEFU_SECRET_KEY must be set when KEFU_PRODUCTION=1")
    # First run without a configured key: generate one into var/ (ignored by git) so sessions
    # survive restarts; production sets KEFU_SECRET_KEY or KEFU_SECRET_KEY_FILE.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("KEFU_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("KEFU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "huey.contrib.djhuey",
    "simple_history",
    "kefu.core",
    "kefu.org",
    "kefu.customers",
    "kefu.workorders",
    "kefu.sla",
    "kefu.notifications",
    "kefu.improvement",
    "kefu.callbacks",
    "kefu.surveys",
    "kefu.privacy",
    "kefu.exchange",
    "kefu.quality",
    "kefu.kpi",
    "kefu.reports",
    "kefu.standards",
    "kefu.knowledge",
    "kefu.tokens",
    "kefu.channels",
    "kefu.notices",
    "kefu.frontdesk",
    "kefu.routing",
    "kefu.patrols",
    "kefu.vendors",
    "kefu.portal",  # the customers' own door under /m/ (issue #19)
    "kefu.repairs",
    "kefu.workspace",  # the top floor: imports every app, imported by none (kefu/floors.py)
]

MIDDLEWARE = [
    # X-Request-ID on every response and every log line (first: even other middleware's errors carry it).
    "kefu.core.requestid.RequestIdMiddleware",
    "kefu.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.actor: the acting staff member, resolved lazily once per request.
    "kefu.org.middleware.ActorMiddleware",
    "kefu.core.middleware.UserLanguageMiddleware",
    # Body size, JSON depth and NUL characters refused with a 400 naming the field (kefu.core.limits).
    "kefu.core.limits.InputLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "kefu.core.middleware.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records the acting user on the change history of customers, occupancies and archives.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Login throttling: answers a locked-out sign-in with kefu.core.auth.lockout_response.
    "axes.middleware.AxesMiddleware",
    # A view's leftover lock conflict → 409; an API view's unexpected error → JSON 500 (kefu.core.db).
    "kefu.core.middleware.ErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "kefu.workspace.context_processors.kefu",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(dj_database_url.parse(
        env_str("KEFU_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kefu.sqlite3'}",
        conn_max_age=env_int("KEFU_DB_CONN_MAX_AGE", 0),
    ))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; busy_timeout makes a second writer wait instead of
    # failing; IMMEDIATE takes the write lock at BEGIN, so two transactions never both read and
    # then deadlock on upgrading to write (the classic SQLite "database is locked").
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The team-queue index carries INCLUDE columns so PostgreSQL answers the queue count from the
# index alone; SQLite ignores INCLUDE (the index still works there), which is all W040 says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- cache and background worker -------------------------------------------------------------
REDIS_URL = env_str("KEFU_REDIS_URL") or None
HUEY_IMMEDIATE = env_bool("KEFU_HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "kefu",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("KEFU_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kefu",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("KEFU_WORKERS", 2), "worker_type": "thread"},
    }

# --- auth --------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes, kefu.core.auth): after KEFU_LOGIN_FAILURE_LIMIT failures for one
# user name from one address, that pair waits KEFU_LOGIN_COOLOFF_MINUTES; the login page and the
# token endpoint count alike; attempts are kept for the audit (admin: Axes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("KEFU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KEFU_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "kefu.core.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "kefu.core.auth.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# API tokens (kefu.tokens) are valid this many days from issue.
KEFU_API_TOKEN_DAYS = env_int("KEFU_API_TOKEN_DAYS", 30)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workorders:queue"
LOGOUT_REDIRECT_URL = "login"

# --- i18n ----------------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("KEFU_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("KEFU_TIME_ZONE", "Asia/Shanghai")

# --- static and media ------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("KEFU_MEDIA_ROOT", str(VAR_DIR / "media")))
# Attachments are served through a view that checks the work order's visibility, never as
# public media; MEDIA_URL is therefore unused by the app.
MEDIA_URL = "/media-not-public/"
KEFU_ATTACHMENT_MAX_BYTES = env_int("KEFU_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Soft-deleted customers are erased (personal fields blanked) this many days later.
KEFU_CUSTOMER_RETENTION_DAYS = env_int("KEFU_CUSTOMER_RETENTION_DAYS", 3 * 365)
# A JSON request body at most this large and this deeply nested (kefu.core.limits); uploads are
# multipart and limited by KEFU_ATTACHMENT_MAX_BYTES.
KEFU_JSON_MAX_BYTES = env_int("KEFU_JSON_MAX_BYTES", 1024 * 1024)
KEFU_JSON_MAX_DEPTH = env_int("KEFU_JSON_MAX_DEPTH", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = KEFU_ATTACHMENT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- email ---------------------------------------------------------------------------------------
_email_url = env_str("KEFU_EMAIL_URL")
if _email_url:
    from urllib.parse import unquote, urlparse

    _e = urlparse(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _e.hostname or "localhost"
    EMAIL_PORT = _e.port or 25
    EMAIL_HOST_USER = unquote(_e.username or "")
    EMAIL_HOST_PASSWORD = unquote(_e.password or "")
    EMAIL_USE_TLS = _e.scheme == "smtp+tls"
    EMAIL_USE_SSL = _e.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("KEFU_DEFAULT_FROM_EMAIL", "kefu@localhost")
# Seconds a mail server may take before a send fails (and is retried). Without it a hung server
# holds the worker past the outbox lease (notifications.services.LEASE, 5 minutes), and another
# worker would claim and send the same message again.
EMAIL_TIMEOUT = env_int("KEFU_EMAIL_TIMEOUT", 30)

# --- the customer portal (/m/, /api/v1/portal/, kefu.portal, docs/portal.md) ---------------------
# Sign-in codes: 6 digits, valid this many minutes; after KEFU_PORTAL_CODE_MAX_FAILURES wrong codes a
# number is locked for KEFU_PORTAL_LOCKOUT_MINUTES. At most KEFU_PORTAL_CODES_PER_NUMBER codes per
# number and KEFU_PORTAL_CODES_PER_IP per address in an hour, and one code a minute per number.
KEFU_PORTAL_CODE_MINUTES = env_int("KEFU_PORTAL_CODE_MINUTES", 5)
KEFU_PORTAL_CODE_MAX_FAILURES = env_int("KEFU_PORTAL_CODE_MAX_FAILURES", 5)
KEFU_PORTAL_LOCKOUT_MINUTES = env_int("KEFU_PORTAL_LOCKOUT_MINUTES", 30)
KEFU_PORTAL_CODES_PER_NUMBER = env_int("KEFU_PORTAL_CODES_PER_NUMBER", 5)
KEFU_PORTAL_CODES_PER_IP = env_int("KEFU_PORTAL_CODES_PER_IP", 20)
KEFU_PORTAL_TOKEN_DAYS = env_int("KEFU_PORTAL_TOKEN_DAYS", 30)
# Resolved orders the customer has not confirmed are confirmed automatically after this many
# business days (China's holiday table), recorded as automatic.
KEFU_PORTAL_AUTO_CONFIRM_DAYS = env_int("KEFU_PORTAL_AUTO_CONFIRM_DAYS", 3)
# The portal's own session cookie (never the staff `sessionid`), limited to /m/.
KEFU_PORTAL_COOKIE = "kefu_portal"
# Whose category tree the portal offers (the second level, in plain words): property or telecom.
KEFU_PORTAL_INDUSTRY = env_str("KEFU_PORTAL_INDUSTRY", "property")
# --- REST API ------------------------------------------------------------------------------------
# The work-order gate's hooks (ADR 0001, kefu.workorders.hooks): called in this order, in the
# writer's transaction, for every recorded order event; then, after commit, the notification
# callables with the ids of the events to notify about.
KEFU_WORK_ORDER_HOOKS = [
    "kefu.sla.clocks.clocks_on_events",
    "kefu.callbacks.hooks.callbacks_on_events",
    "kefu.reports.facts.order_facts_on_events",
    "kefu.knowledge.index.search_index_on_events",
    "kefu.notifications.customer_messages.customer_messages_on_events",
    # Last: routes a new order after its intake commits (dispatch through the gate, as the system).
    "kefu.routing.services.route_on_events",
]
KEFU_WORK_ORDER_ON_COMMIT = ["kefu.notifications.tasks.notify_work_order_events_task"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Expiring, revocable tokens; old DRF tokens until KEFU_API_TOKEN_DAYS after creation (kefu.tokens).
        "kefu.tokens.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kefu.org.api_permissions.IsStaffMember"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "kefu.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kefu.core.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kefu API",
    "DESCRIPTION": "Work orders, customers and the organisation of a customer service center.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the error answers it can give (kefu.core.openapi, issue #15).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "kefu.core.openapi.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {
        "WorkOrderStatusEnum": "kefu.workorders.choices.Status",
        "HoldReasonEnum": "kefu.workorders.choices.HoldReason",
        "CustomerKindEnum": "kefu.customers.choices.CustomerKind",
        "AssetKindEnum": "kefu.customers.choices.AssetKind",
        "DepartmentKindEnum": "kefu.org.choices.DepartmentKind",
        "CorrectiveActionStatusEnum": "kefu.improvement.choices.Status",
        "QACheckStatusEnum": "kefu.quality.choices.CheckStatus",
        "ScorecardStatusEnum": "kefu.kpi.choices.ScorecardStatus",
        "KpiSourceEnum": "kefu.kpi.choices.Source",
        "RoleCodeEnum": "kefu.org.choices.RoleCode",
        "ArticleStatusEnum": "kefu.knowledge.choices.ArticleStatus",
        "ArticleKindEnum": "kefu.knowledge.choices.ArticleKind",
        "PatrolItemKindEnum": "kefu.patrols.choices.ItemKind",
        "PatrolRoundStatusEnum": "kefu.patrols.choices.RoundStatus",
        "FindingStatusEnum": "kefu.patrols.choices.FindingStatus",
        "NonconformitySourceEnum": "kefu.vendors.choices.NonconformitySource",
        "NonconformityStatusEnum": "kefu.vendors.choices.NonconformityStatus",
        "VendorScorecardStatusEnum": "kefu.vendors.choices.ScorecardStatus",
        "ServiceScopeEnum": "kefu.vendors.choices.ServiceScope",
        "RoutingAssignmentEnum": "kefu.routing.choices.Assignment",
        "EquipmentKindEnum": "kefu.repairs.choices.EquipmentKind",
        "PaymentMethodEnum": "kefu.repairs.choices.PaymentMethod",
        "AttendanceStatusEnum": "kefu.vendors.choices.AttendanceStatus",
        "ChannelAccountKindEnum": "kefu.channels.choices.AccountKind",
        "MessageKindEnum": "kefu.channels.choices.MessageKind",
    },
}

# --- Kefu --------------------------------------------------------------------------------------
KEFU_WORK_ORDER_PREFIX = env_str("KEFU_WORK_ORDER_PREFIX", "GD")
# The service phone canned replies name ({site_phone}) for sites without their own (knowledge app).
KEFU_SERVICE_PHONE = env_str("KEFU_SERVICE_PHONE", "400-800-8888")
KEFU_SLA_SWEEP_MINUTES = env_int("KEFU_SLA_SWEEP_MINUTES", 1)
# Where customers reach the public pages (rating links, survey links and QR codes): links in SMS
# and email are built on it, so production must name it (see below).
KEFU_PUBLIC_BASE_URL = env_str("KEFU_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
KEFU_RATING_LINKS = env_bool("KEFU_RATING_LINKS", True)
KEFU_RATING_LINK_DAYS = env_int("KEFU_RATING_LINK_DAYS", 7)
KEFU_RATING_LOW_THRESHOLD = env_int("KEFU_RATING_LOW_THRESHOLD", 2)
# Outbound messages (kefu.notifications): provider accounts per channel as JSON (see
# kefu/notifications/accounts.py and docs/notifications.md; none: SMS/WeChat/WeCom log only), and
# the SMS quiet hours "22-8" in the center's time zone ("" switches them off).
KEFU_OUTBOUND_ACCOUNTS: dict = json.loads(env_str("KEFU_OUTBOUND_ACCOUNTS") or "{}")
KEFU_OUTBOUND_ACCOUNT_SOURCE = "kefu.channels.outbound"
_quiet = env_str("KEFU_SMS_QUIET_HOURS", "22-8")
KEFU_SMS_QUIET_HOURS: tuple[int, int] | None = (
    (int(_quiet.split("-")[0]), int(_quiet.split("-")[1])) if _quiet else None)
KEFU_CUSTOMER_MESSAGES = env_bool("KEFU_CUSTOMER_MESSAGES", True)
KEFU_OUTBOX_LEASE_SECONDS = env_int("KEFU_OUTBOX_LEASE_SECONDS", 300)
# The secret in the URL SMS providers push delivery reports to (empty: no receipt endpoint).
KEFU_RECEIPT_TOKEN = env_str("KEFU_RECEIPT_TOKEN", "")
# Notices to more recipients than this wait for a supervisor's approval; recipients per chunk.
KEFU_NOTICE_APPROVAL_ABOVE = env_int("KEFU_NOTICE_APPROVAL_ABOVE", 50)
KEFU_NOTICE_CHUNK = env_int("KEFU_NOTICE_CHUNK", 1000)

# Channel-account secrets (kefu.channels.crypto): Fernet keys, the first encrypts, all decrypt.
# Empty: one key derived from SECRET_KEY (a single machine); production sets its own.
KEFU_CHANNEL_SECRET_KEYS = env_list("KEFU_CHANNEL_SECRET_KEYS", [])
# Where the WeChat API is (tests point it at a local server).
KEFU_WECHAT_API_BASE = env_str("KEFU_WECHAT_API_BASE", "https://api.weixin.qq.com")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names the request it was written for (kefu.core.requestid.RequestIdMiddleware).
    "filters": {"request_id": {"()": "kefu.core.requestid.RequestIdLogFilter"}},
    "formatters": {"kefu": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "kefu"}},
    "root": {"handlers": ["console"], "level": env_str("KEFU_LOG_LEVEL", "INFO")},
    # run_huey gives the "huey" logger its own handler; propagating as well printed every line twice.
    "loggers": {"huey": {"propagate": False}},
}

# --- scale-out: read replica, shared cache, object storage (docs/deployment.md) --------------------
from config import scaleout as _scaleout  # noqa: E402

# Reports and exports read from a streaming replica while it is at most KEFU_REPLICA_MAX_LAG_SECONDS
# behind (probed every KEFU_REPLICA_CHECK_SECONDS; an unreachable one is retried after
# KEFU_REPLICA_RETRY_SECONDS); everything else reads and writes the primary (kefu.core.dbrouter).
DATABASE_ROUTERS = ["kefu.core.dbrouter.ReplicaRouter"]
_replica = _scaleout.replica_database(DATABASES["default"])
if _replica:
    DATABASES["replica"] = _replica
KEFU_READ_REPLICA = "replica" if _replica else None
KEFU_REPLICA_MAX_LAG_SECONDS = env_int("KEFU_REPLICA_MAX_LAG_SECONDS", 30)
KEFU_REPLICA_CHECK_SECONDS = env_int("KEFU_REPLICA_CHECK_SECONDS", 5)
KEFU_REPLICA_RETRY_SECONDS = env_int("KEFU_REPLICA_RETRY_SECONDS", 30)
# One cache for every web node (login throttling and rate limits must count across nodes).
_redis_cache = _scaleout.redis_cache()
if _redis_cache:
    CACHES = {"default": _redis_cache}
# Uploads (attachments, archives, signatures, generated reports, imports) on S3-compatible storage.
_s3_storage = _scaleout.s3_storage()
if _s3_storage:
    STORAGES["default"] = _s3_storage

# --- production hardening ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Survey and rating links carry tokens in their path: never send a URL to another origin.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features the app never uses (kefu.core.middleware.SecurityHeadersMiddleware).
KEFU_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# KEFU_HTTPS=1: the site is served over TLS (directly or by nginx in front, which sets
# X-Forwarded-Proto): redirect to HTTPS, secure cookies, HSTS (a year unless KEFU_HSTS_SECONDS),
# trust the proxy's X-Forwarded-Proto. The finer switches below override single parts.
KEFU_HTTPS = env_bool("KEFU_HTTPS", False)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("KEFU_SECURE_SSL_REDIRECT", KEFU_HTTPS)
    SESSION_COOKIE_SECURE = env_bool("KEFU_SECURE_COOKIES", KEFU_HTTPS)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env_int("KEFU_HSTS_SECONDS", 365 * 24 * 3600 if KEFU_HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
    SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
    if env_bool("KEFU_BEHIND_PROXY", KEFU_HTTPS):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts only from our own static files — no inline script,
# no inline event handlers (static/js/*.js instead), no eval; styles may be inline (Bootstrap
# utilities in style attributes, htmx's indicator style); images also from data: (Bootstrap's
# form icons) and blob: (the attachment preview). Report-only with KEFU_CSP_REPORT_ONLY=1.
_csp: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if env_bool("KEFU_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp
else:
    CONTENT_SECURITY_POLICY = _csp
# The API's schema and Swagger page: open to anyone in development, signed-in users in production.
KEFU_API_DOCS_PUBLIC = env_bool("KEFU_API_DOCS_PUBLIC", DEBUG)
if not KEFU_API_DOCS_PUBLIC:
    SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["rest_framework.permissions.IsAuthenticated"]

if env_bool("KEFU_PRODUCTION", False):
    # A production deployment must name its secret, hosts and public address; a generated key or
    # a localhost default would silently work and then break sessions, Host checks or links later.
    for _name in ("KEFU_SECRET_KEY", "KEFU_ALLOWED_HOSTS", "KEFU_PUBLIC_BASE_URL"):
        if not (env_str(_name)):
            raise ImproperlyConfigured(f"{_name} must be set when KEFU_PRODUCTION=1")
    if DEBUG:
        raise ImproperlyConfigured("KEFU_DEBUG must be off when KEFU_PRODUCTION=1")
    # Production says whether it runs behind TLS: KEFU_HTTPS=1, or =0 knowingly (a private network).
    if not env_str("KEFU_HTTPS"):
        raise ImproperlyConfigured("KEFU_HTTPS must be set when KEFU_PRODUCTION=1 (1: served over HTTPS)")
