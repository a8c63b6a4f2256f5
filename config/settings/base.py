"""Settings shared by every environment.

Everything that differs between machines comes from environment variables with a
``DJANGO_`` prefix (``DATABASE_URL`` keeps its conventional name).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "csp",
    "django_htmx",
    "cymuned.core",
    "cymuned.access",
    "cymuned.accounts",
    "cymuned.organisations",
    "cymuned.audit",
    "cymuned.families",
    "cymuned.evaluation",
    "cymuned.outcomes",
    "cymuned.programmes",
    "cymuned.premises",
    "cymuned.directory",
    "cymuned.strategy",
    "cymuned.funding",
    "cymuned.governance",
    "cymuned.hub",
    "cymuned.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cymuned.audit.middleware.DatabaseActorMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cymuned.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cymuned.accounts.middleware.StaffSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "cymuned.core.middleware.NoStoreForSignedInMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "cymuned.core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cymuned.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Internationalisation: English and Welsh, every page under a language prefix.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/London"
LANGUAGE_COOKIE_NAME = "cymuned_language"
LANGUAGE_COOKIE_SECURE = False

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Cymuned <no-reply@cymuned.localhost>")

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy: no inline script, no third-party origin.
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
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Sign-in throttling: lock the (user, address) pair, so nobody can lock a real
# user out from elsewhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cymuned.accounts.views.locked_out"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Cymuned"

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cymuned.access.api.ScopedPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "cymuned.access.api.ScopedFilterBackend",
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    # JSON only: the API is for other systems; people read /api-docs/ (the browsable API needs inline script).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle", "rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": "2000/hour", "anon": "200/hour"},
    "EXCEPTION_HANDLER": "cymuned.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cymuned API",
    "DESCRIPTION": "REST API of Cymuned, the platform for community focused schools. "
    "Every endpoint is scoped by the same access layer as the pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two models name a field "status" with different choices: give each set its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "cymuned.premises.models.SeriesStatus",
        "InvoiceStatusEnum": "cymuned.premises.models.InvoiceStatus",
        "EnrolmentStatusEnum": "cymuned.programmes.models.EnrolmentStatus",
        "PlanVersionStatusEnum": "cymuned.strategy.models.VersionStatus",
        "QuestionKindEnum": "cymuned.strategy.models.QuestionKind",
        "ReferralStatusEnum": "cymuned.hub.models.Status",
        "ReferralOutcomeEnum": "cymuned.hub.models.Outcome",
        "ImpactOutcomeEnum": "cymuned.outcomes.impact.Outcome",
        "ClaimStatusEnum": "cymuned.funding.models.ClaimStatus",
        "MemorandumStatusEnum": "cymuned.governance.models.MouStatus",
        "ServiceStatusEnum": "cymuned.directory.models.ServiceStatus",
        "EvaluationStatusEnum": "cymuned.evaluation.models.EvaluationStatus",
    },
}

# Cymuned's own switches.
# Staff sessions end after 30 minutes without activity and 12 hours after sign-in, whatever they do.
CYMUNED_STAFF_IDLE_TIMEOUT = 30 * 60
CYMUNED_STAFF_ABSOLUTE_TIMEOUT = 12 * 60 * 60
CYMUNED_REQUIRE_2FA = env_bool("DJANGO_REQUIRE_2FA", True)
CYMUNED_DEMO_HINTS = False
CYMUNED_BASE_URL = os.environ.get("DJANGO_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Years personal details of finished family work are kept before `manage.py apply_retention` anonymises or
# deletes them (cymuned/families/retention.py). Apps with their own kinds of record add keys here.
CYMUNED_RETENTION = {
    "episode_closed_years": int(os.environ.get("DJANGO_RETENTION_EPISODE_CLOSED_YEARS", "6")),
    "household_inactive_years": int(os.environ.get("DJANGO_RETENTION_HOUSEHOLD_INACTIVE_YEARS", "6")),
    # People's details on courses and activities that ended this long ago (public sign-ups especially).
    "enrolment_ended_years": int(os.environ.get("DJANGO_RETENTION_ENROLMENT_ENDED_YEARS", "3")),
    # Copies of schools' outcome data (cymuned/outcomes/data_protection.py): years after the end of the academic
    # year they belong to, and, for every kind, years after the learner left.
    "outcome_attendance_years": int(os.environ.get("DJANGO_RETENTION_OUTCOME_ATTENDANCE_YEARS", "3")),
    "outcome_behaviour_years": int(os.environ.get("DJANGO_RETENTION_OUTCOME_BEHAVIOUR_YEARS", "3")),
    "outcome_exclusion_years": int(os.environ.get("DJANGO_RETENTION_OUTCOME_EXCLUSION_YEARS", "6")),
    "outcome_results_years": int(os.environ.get("DJANGO_RETENTION_OUTCOME_RESULTS_YEARS", "6")),
    "outcome_after_leaving_years": int(os.environ.get("DJANGO_RETENTION_OUTCOME_AFTER_LEAVING_YEARS", "2")),
    # Uploaded import files (and the problems quoted from them), after the import; the record of the import is kept.
    "import_file_years": int(os.environ.get("DJANGO_RETENTION_IMPORT_FILE_YEARS", "1")),
    # Referrals to the multi-agency hub closed or declined this long ago (their free text; figures stay).
    "referral_closed_years": int(os.environ.get("DJANGO_RETENTION_REFERRAL_CLOSED_YEARS", "6")),
}
# Attendance (% of possible sessions) at or below which absence is persistent (missing 10% or more) and severe:
# the FEO worklist lists learners in these bands, and the outcome dashboards count them.
CYMUNED_ATTENDANCE_BANDS = {"persistent": "90", "severe": "80"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # Security events as one JSON object a line, for the council's log collector (cymuned/core/security_log.py).
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "security": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "cymuned.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        "cymuned.errors": {"handlers": ["security"], "level": "ERROR", "propagate": False},
    },
}


# --- Deployment (docs/deploy.md): probes, background tasks, media storage, single sign-on, daily jobs. ---
# Kept in one block at the end so it merges cleanly with changes above.
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

# /health/ and /ready/ answer before host validation, the HTTPS redirect, sessions and sign-in:
# load balancers probe with their own Host header, over plain HTTP.
MIDDLEWARE = ["cymuned.core.health.ProbeMiddleware", *MIDDLEWARE]

# How many reverse proxies / load balancers sit in front of Cymuned, each adding to X-Forwarded-For: sign-in
# throttling then counts the person's address, not the proxy's (cymuned/core/proxy.py). 0: no proxy.
CYMUNED_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "cymuned.core.proxy.client_ip"

# Background tasks through django-tasks (the backport of Django 6's django.tasks). "immediate" runs a task
# inside the call that enqueues it (local and tests); "database" stores it in PostgreSQL for
# `manage.py db_worker` (production's default). The database app is always installed, so every
# environment has the same migrations.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}


def tasks_setting(backend: str) -> dict:
    if backend not in TASK_BACKENDS:
        raise ImproperlyConfigured(f"DJANGO_TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {backend!r}.")
    return {"default": {"BACKEND": TASK_BACKENDS[backend], "QUEUES": ["default"]}}


INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = tasks_setting(os.environ.get("DJANGO_TASKS_BACKEND", "immediate"))

# Uploaded files: the local file system (one server, or a shared volume), or an S3-compatible bucket
# when several servers share them (DJANGO_MEDIA_STORAGE=s3).
CYMUNED_MEDIA_STORAGE = os.environ.get("DJANGO_MEDIA_STORAGE", "filesystem")


def media_storage_setting(kind: str) -> dict:
    """The ``STORAGES["default"]`` entry for ``filesystem`` or ``s3``."""
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"DJANGO_MEDIA_STORAGE must be filesystem or s3, not {kind!r}.")
    bucket = os.environ.get("DJANGO_S3_BUCKET", "")
    if not bucket:
        raise ImproperlyConfigured("DJANGO_MEDIA_STORAGE=s3 needs DJANGO_S3_BUCKET.")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("DJANGO_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DJANGO_S3_REGION") or None,
            # Empty keys let boto3 find credentials itself (an instance role, AWS_* variables).
            "access_key": os.environ.get("DJANGO_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("DJANGO_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("DJANGO_S3_PREFIX", ""),
            "addressing_style": os.environ.get("DJANGO_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            # Private bucket: files are reached through short-lived signed links, never public ones.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 3600,
            "file_overwrite": False,
        },
    }


def media_storage_origin(options: dict) -> str:
    """Where signed links to the bucket point, for the Content Security Policy (space photos)."""
    from urllib.parse import urlsplit

    endpoint = options.get("endpoint_url")
    if endpoint:
        parts = urlsplit(endpoint)
        if options.get("addressing_style") == "virtual":
            return f"{parts.scheme}://{options['bucket_name']}.{parts.netloc}"
        return f"{parts.scheme}://{parts.netloc}"
    region = options.get("region_name")
    return f"https://{options['bucket_name']}.s3.{region}.amazonaws.com" if region else f"https://{options['bucket_name']}.s3.amazonaws.com"


STORAGES = {**STORAGES, "default": media_storage_setting(CYMUNED_MEDIA_STORAGE)}
if CYMUNED_MEDIA_STORAGE == "s3":
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(media_storage_origin(STORAGES["default"]["OPTIONS"]))

# Optional single sign-on through OpenID Connect (mozilla-django-oidc), beside local accounts. People are
# matched to existing accounts by email; nobody is created, and roles still come only from memberships.
CYMUNED_OIDC_ENABLED = env_bool("DJANGO_OIDC_ENABLED", False)
# True when the identity provider enforces multi-factor sign-in itself: Cymuned then asks people who
# signed in through it for no code of its own. Otherwise its own two-factor step still applies.
CYMUNED_OIDC_TRUST_IDP_MFA = env_bool("DJANGO_OIDC_TRUST_IDP_MFA", False)
if CYMUNED_OIDC_ENABLED:
    _oidc_required = {
        "OIDC_RP_CLIENT_ID": "DJANGO_OIDC_CLIENT_ID",
        "OIDC_RP_CLIENT_SECRET": "DJANGO_OIDC_CLIENT_SECRET",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "DJANGO_OIDC_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT": "DJANGO_OIDC_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT": "DJANGO_OIDC_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT": "DJANGO_OIDC_JWKS_ENDPOINT",
    }
    OIDC_RP_CLIENT_ID = os.environ.get("DJANGO_OIDC_CLIENT_ID", "")
    OIDC_RP_CLIENT_SECRET = os.environ.get("DJANGO_OIDC_CLIENT_SECRET", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("DJANGO_OIDC_AUTHORIZATION_ENDPOINT", "")
    OIDC_OP_TOKEN_ENDPOINT = os.environ.get("DJANGO_OIDC_TOKEN_ENDPOINT", "")
    OIDC_OP_USER_ENDPOINT = os.environ.get("DJANGO_OIDC_USER_ENDPOINT", "")
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("DJANGO_OIDC_JWKS_ENDPOINT", "")
    _oidc_missing = [env for name, env in _oidc_required.items() if not globals()[name]]
    if _oidc_missing:
        raise ImproperlyConfigured(f"DJANGO_OIDC_ENABLED=1 needs {', '.join(_oidc_missing)}.")
    OIDC_RP_SIGN_ALGO = os.environ.get("DJANGO_OIDC_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("DJANGO_OIDC_SCOPES", "openid email profile")
    OIDC_CREATE_USER = False
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = 10
    OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "cymuned.accounts.oidc.OIDCBackend"]
    MIDDLEWARE.insert(MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1, "cymuned.accounts.oidc.TrustIdentityProviderMFAMiddleware")

# Daily jobs run by `manage.py run_scheduler` (cymuned/core/scheduler.py), at these local (Europe/London)
# times, HH:MM; an empty value turns a job off.
CYMUNED_SCHEDULE = {
    "apply_retention": os.environ.get("DJANGO_SCHEDULE_APPLY_RETENTION", "02:30"),
    "remind_insurance_expiry": os.environ.get("DJANGO_SCHEDULE_REMIND_INSURANCE_EXPIRY", "07:00"),
    "notify_overdue_actions": os.environ.get("DJANGO_SCHEDULE_NOTIFY_OVERDUE_ACTIONS", "07:15"),
    "remind_funding_claims": os.environ.get("DJANGO_SCHEDULE_REMIND_FUNDING_CLAIMS", "07:30"),
    "remind_mou_reviews": os.environ.get("DJANGO_SCHEDULE_REMIND_MOU_REVIEWS", "07:45"),
    # Only with the database task backend: deletes finished background tasks (they hold email bodies).
    "prune_task_results": os.environ.get("DJANGO_SCHEDULE_PRUNE_TASK_RESULTS", "03:30"),
    # The multi-agency hub coordinators' summary of referrals and missed service levels.
    "send_hub_digest": os.environ.get("DJANGO_SCHEDULE_SEND_HUB_DIGEST", "07:30"),
}
# What the daily retention job does with records past their retention period: "dry-run" only lists them in
# the log; "anonymise" or "delete" acts, once the authority has agreed its retention schedule.
CYMUNED_RETENTION_SCHEDULED_MODE = os.environ.get("DJANGO_RETENTION_SCHEDULED_MODE", "dry-run")

# Imports of school MIS exports (cymuned/outcomes/import_runs.py): the largest file accepted, in bytes, and whether an
# import runs in a thread of the web server when tasks run immediately (``make run``: the progress bar then moves).
CYMUNED_IMPORT_MAX_BYTES = int(os.environ.get("DJANGO_IMPORT_MAX_BYTES", str(250 * 1024 * 1024)))
CYMUNED_IMPORTS_IN_THREAD = False
