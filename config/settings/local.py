"""Local development: the zero-set-up default used by ``make run``."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"  # noqa: F405
# Demo accounts show their current sign-in code, so a visitor can try the
# demo without an authenticator app. Never on in production settings.
CYMUNED_DEMO_HINTS = DEBUG

VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405 - the SQLite database and uploads live here
