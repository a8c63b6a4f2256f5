"""Register this app's models with the change log."""

from auditlog.registry import auditlog

from .models import Cluster, LocalAuthority, Organisation, Partner, School

for model in (Organisation, LocalAuthority, Cluster, School, Partner):
    auditlog.register(model)
