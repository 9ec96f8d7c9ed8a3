"""Settings, all from the environment (see README: "Configuration").

Production differs from development only in environment values. Unset
DATABASE_URL means SQLite in var/; unset REDIS_URL means Celery tasks run
in-process and caching is local memory.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# The bureau this installation serves: data, not code.
BUREAU_NAME = os.environ.get("BUREAU_NAME", "定州市民政局")
BUREAU_DIVISION_CODE = os.environ.get("BUREAU_DIVISION_CODE", "130682")

INSTALLED_APPS = [
    # First, so that its createsuperuser (which also gives the administrator role) replaces Django's.
    "dingzhou_welfare",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "children",
    "subsidies",
    "adoption",
    "visits",
    "visits.campaigns",
    "reports",
    "imports",
    "home",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dingzhou_welfare.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "dingzhou_welfare.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dingzhou_welfare.constraints.ConstraintErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dingzhou_welfare.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "dingzhou_welfare.second_factor.SecondFactorMiddleware",
    # Last, so that its process_exception sees a view's exception first (dingzhou_welfare/retry.py).
    "dingzhou_welfare.retry.RetryLostConnectionMiddleware",
]

ROOT_URLCONF = "dingzhou_welfare.urls"
WSGI_APPLICATION = "dingzhou_welfare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dingzhou_welfare.context_processors.bureau",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (or anything dj-database-url reads) from DATABASE_URL.
# Connections are kept open between requests: opening one per request costs 2.7x throughput.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# PostgreSQL's JIT compilation, off unless asked for (dingzhou_welfare/postgresql/base.py).
DATABASE_JIT = envbool("DATABASE_JIT", False)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=envint("DB_CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, checking a kept connection without a SELECT 1 per request.
        DATABASES["default"]["ENGINE"] = "dingzhou_welfare.postgresql"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Every Redis client gives up after these many seconds, so that a Redis that is down, or a port that
# never answers, costs a page a second or two, not the operating system's minutes.
REDIS_CONNECT_TIMEOUT = float(os.environ.get("REDIS_CONNECT_TIMEOUT", "1"))
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "1"))
REDIS_SOCKET_OPTIONS = {"socket_connect_timeout": REDIS_CONNECT_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
if REDIS_URL:
    # Django's Redis cache, reusing its Redis client (dingzhou_welfare/cache.py): the sessions' cache.
    CACHES = {
        "default": {
            "BACKEND": "dingzhou_welfare.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {**REDIS_SOCKET_OPTIONS, "retry_on_timeout": False},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis as broker when configured, otherwise tasks run in the calling process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 3600)
# The longest time limit any task sets for itself (exports and report files: 4 hours).
LONGEST_TASK_SECONDS = max(CELERY_TASK_TIME_LIMIT, 4 * 3600)
CELERY_TASK_ACKS_LATE = True
# A task's message stays in Redis, unacknowledged, while it runs (acks late); Redis hands it to
# another worker after visibility_timeout. Longer than the longest task, or a running task would be
# started twice; a killed worker's work is queued again sooner by beat (requeue_stalled_work_task).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": LONGEST_TASK_SECONDS + 600, **REDIS_SOCKET_OPTIONS}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
# A page that queues work waits for the broker once, not three times (dingzhou_welfare/queueing.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = "celery"
# /readyz/ fails when more tasks than this wait in the queue.
READY_QUEUE_LIMIT = envint("READY_QUEUE_LIMIT", 1000)
# manage.py backup and the nightly beat entry: where archives go and how many are kept.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_KEEP = envint("BACKUP_KEEP", 14)
# The month's disbursement: computed on DISBURSEMENT_DAY for the month DISBURSEMENT_MONTH_OFFSET
# from the current one (0 = this month, the bureau pays within the month).
DISBURSEMENT_DAY = envint("DISBURSEMENT_DAY", 5)
DISBURSEMENT_MONTH_OFFSET = envint("DISBURSEMENT_MONTH_OFFSET", 0)
# A batch's problem list flags an account paid for more than this many children (siblings with one
# guardian share an account, so the default allows three).
SHARED_ACCOUNT_MAX_CHILDREN = envint("SHARED_ACCOUNT_MAX_CHILDREN", 3)
CELERY_BEAT_SCHEDULE = {
    "exports-purge-nightly": {
        "task": "subsidies.exports.purge_old_exports_task",
        "schedule": crontab(hour=3, minute=30),
    },
    "children-exports-purge-nightly": {
        "task": "children.exports.purge_old_children_exports_task",
        "schedule": crontab(hour=3, minute=35),
    },
    "report-files-purge-nightly": {
        "task": "reports.jobs.purge_old_report_files_task",
        "schedule": crontab(hour=3, minute=40),
    },
    "import-files-purge-nightly": {
        "task": "imports.tasks.purge_old_import_files_task",
        "schedule": crontab(hour=3, minute=50),
    },
    "visits-schedule-nightly": {
        "task": "visits.tasks.nightly_schedule_task",
        "schedule": crontab(hour=envint("VISITS_SCHEDULE_HOUR", 0), minute=30),
    },
    "classifications-age-limit-nightly": {
        "task": "children.tasks.end_classifications_past_age_limit_task",
        "schedule": crontab(hour=1, minute=0),
    },
    "stalled-work-requeue": {
        "task": "dingzhou_welfare.tasks.requeue_stalled_work_task",
        "schedule": crontab(minute="*/5"),
    },
    # Readiness (/readyz/): a worker stamps the cache each minute, proving the worker and beat alive.
    "worker-heartbeat": {
        "task": "dingzhou_welfare.tasks.heartbeat_task",
        "schedule": 60.0,
    },
    "backup-nightly": {
        "task": "dingzhou_welfare.tasks.backup_task",
        "schedule": crontab(hour=envint("BACKUP_HOUR", 1), minute=15),
    },
    "enrolments-age-limit-nightly": {
        "task": "subsidies.tasks.end_enrolments_past_age_limit_task",
        "schedule": crontab(hour=1, minute=15),
    },
    "disbursement-daily-check": {
        "task": "subsidies.tasks.scheduled_month_task",
        "schedule": crontab(hour=envint("DISBURSEMENT_HOUR", 2), minute=0),
    },
}

# Authentication: throttled logins (django-axes), sessions that expire after inactivity.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "dingzhou_welfare.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address for lockouts (dingzhou_welfare/addresses.py): REMOTE_ADDR, or behind
# PROXY_COUNT proxies the address the outermost of them saw.
PROXY_COUNT = envint("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "dingzhou_welfare.addresses.client_ip"
# Each web process keeps its signed-in users between requests (dingzhou_welfare/signed_in.py) only
# when the tokens saying that users changed are in a cache all processes share.
KEEP_SIGNED_IN_USERS = bool(REDIS_URL)

# Two-factor sign-in (dingzhou_welfare/second_factor.py): required for the staff, leader and administrator
# roles when true; bin/demo turns it off. Authenticator apps show the entry under OTP_TOTP_ISSUER.
TWO_FACTOR_REQUIRED = envbool("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = BUREAU_NAME

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 30) * 60
# A session ends after SESSION_COOKIE_AGE without a request; it is written again at most every
# SESSION_RENEW_SECONDS (dingzhou_welfare.middleware), not on every request.
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# In PostgreSQL with Redis as their cache, read with the version tokens of what processes keep
# (dingzhou_welfare.sessions, .versions); without Redis, from the database alone.
SESSION_ENGINE = "dingzhou_welfare.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "dingzhou_welfare.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# HTTPS: on in production (HTTPS=true), off for the embedded development server.
HTTPS = envbool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and envbool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if envbool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, images and requests from this site only, nothing
# inline (templates load static/js and static/css), never framed. The favicon is an empty data: URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded documents are never served from a public URL: a view checks scope first.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MAX_UPLOAD_MB = envint("MAX_UPLOAD_MB", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
# Mandatory reports (强制报告) found on visits are mailed at once to bureau staff users with an e-mail
# address and to these addresses; SITE_URL makes the link in the mail absolute.
MANDATORY_REPORT_EMAILS = envlist("MANDATORY_REPORT_EMAILS")
SITE_URL = os.environ.get("SITE_URL", "")

# The read-only API (api/): calls per client token, and the page sizes of its cursor pagination.
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "120/min")
API_PAGE_SIZE = envint("API_PAGE_SIZE", 500)
API_MAX_PAGE_SIZE = envint("API_MAX_PAGE_SIZE", 2000)
REST_FRAMEWORK = {
    # JSON only: no browsable API pages (the docs are drf-spectacular's, below).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "定州市儿童福利管理系统只读接口",
    "DESCRIPTION": "全县范围的只读数据：增减员事件、发放批次及其合计、已审批批次的发放明细、各类别各乡镇人数。"
    "每个客户端一个令牌（Authorization: Bearer <令牌>），按令牌限速，每次调用记入审计；"
    "未授权完整个人信息的令牌，身份证号和银行账号脱敏返回。",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs pages' JS and CSS from drf-spectacular-sidecar's static files: offline, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI sends the schema to an outside validator unless told not to.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "BatchStatusEnum": "subsidies.models.Batch.Status",
        "LineKindEnum": "subsidies.models.Line.Kind",
        "PaidStatusEnum": "subsidies.bank.line_status.PaidStatus",
        "ReturnedReasonEnum": "subsidies.bank.return_models.BankPayment.Reason",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO (and its stylesheets when it is imported): keep its warnings only.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
