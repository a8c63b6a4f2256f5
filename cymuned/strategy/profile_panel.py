"""The consultations panel of a community profile: what people said, in their own words, about their community."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cymuned.access.policy import Action, visible_to
from cymuned.governance.panels import COMMUNITY_WORDS, Panel, ProfileContext, register_profile_panel

from .models import Answer, QuestionKind, Response

#: How many answers the panel quotes.
WORDS_LIMIT = 8


def build_community_words(*, profile: Any, context: ProfileContext) -> Panel | None:
    """The latest free-text answers to the authority's anonymous consultations, as far as the reader may see responses
    (the access layer: the authority's managers). Nothing for anyone else. One query."""
    responses = visible_to(context.user, Response, Action.VIEW).filter(
        questionnaire__local_authority_id=profile.local_authority_id, questionnaire__is_anonymous=True)
    answers = list(
        Answer.objects.filter(response__in=responses, question__kind=QuestionKind.TEXT).exclude(text="")
        .select_related("question", "response__questionnaire").order_by("-response__submitted_on", "-pk")[:WORDS_LIMIT]
    )
    if not answers:
        return None
    return Panel(title=_("In the community's own words"), template="strategy/_profile_panel.html", data={"answers": answers})


register_profile_panel(COMMUNITY_WORDS, 50, build_community_words)
