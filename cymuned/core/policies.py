from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal

from .models import Notification


@register(Notification)
class NotificationPolicy(ModelPolicy):
    """Each person sees only their own notifications."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if principal.is_authenticated and action in (Action.LIST, Action.VIEW, Action.CHANGE):
            return Q(user_id=principal.user_id)
        return NOTHING
