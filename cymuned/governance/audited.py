"""Changes to memoranda, the network, the engagement log and profiles are kept in the audit log."""

from auditlog.registry import auditlog

from .models import (
    CommunityProfile,
    EngagementEvent,
    EngagementPaper,
    MemorandumOfUnderstanding,
    NetworkMeeting,
    NetworkResource,
    Notice,
    NoticeReply,
    Signatory,
)

for model in (MemorandumOfUnderstanding, Signatory, NetworkMeeting, NetworkResource, Notice, NoticeReply, EngagementEvent,
              EngagementPaper, CommunityProfile):
    auditlog.register(model)
