"""Local development: the zero-set-up default used by ``make run``."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"  # noqa: F405
# Demo accounts show their current sign-in code, so a visitor can try the
# demo without an authenticator app. Never on in production settings.
CYMUNED_DEMO_HINTS = DEBUG

VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405 - the SQLite database and uploads live here

# With the immediate task backend (the default here) an import runs in a thread of the development server, so its
# page can follow the progress; with DJANGO_TASKS_BACKEND=database it waits for `manage.py db_worker` as in production.
CYMUNED_IMPORTS_IN_THREAD = True
