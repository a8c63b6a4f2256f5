"""Directory entries are public information, but who changed them and how is kept in the audit log."""

from auditlog.registry import auditlog

from .models import (
    Accessibility,
    Contact,
    CostOption,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
)

for model in (Service, ServiceAttribute, Location, Accessibility, ServiceAtLocation, Contact, Phone, Schedule, Language, CostOption, ServiceArea):
    auditlog.register(model)
