"""Register this app's models with the change log; secrets are never logged."""

from auditlog.registry import auditlog

from .models import Membership, User

auditlog.register(User, exclude_fields=["password", "last_login", "session_stamp"])
auditlog.register(Membership)
