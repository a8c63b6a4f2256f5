"""Test settings: PostgreSQL from DATABASE_URL (``make test`` starts one)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    # Unhashed names, so the live server of the browser tests serves files straight from the finders.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

AXES_ENABLED = True
CYMUNED_BASE_URL = "http://testserver"

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":  # noqa: F405
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("The test suite runs on PostgreSQL: use `make test`, which starts one and sets DATABASE_URL.")

# --- Deployment (docs/deploy.md) ---
from .base import tasks_setting  # noqa: E402

# Tasks run where they are enqueued, so tests see their effects at once; tests of the worker switch backend.
TASKS = tasks_setting("immediate")
