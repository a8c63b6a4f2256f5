"""Changes to grants, spend and posts are kept in the audit log (who changed what figure, and when)."""

from auditlog.registry import auditlog

from .models import Allocation, Award, Claim, FundedPost, FundingStream, Spend

for model in (FundingStream, Award, Allocation, Spend, Claim, FundedPost):
    auditlog.register(model)
