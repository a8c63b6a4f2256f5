"""Test settings: PostgreSQL from DATABASE_URL (``make test`` starts one)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
