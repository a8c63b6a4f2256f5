"""Single sign-on URLs, included by config/urls.py only when DJANGO_OIDC_ENABLED=1. Outside the language
prefix, so the address registered with the identity provider is one: https://<host>/oidc/callback/."""

from django.urls import path

from .oidc import OIDCCallbackView, OIDCSignInView

app_name = "oidc"

urlpatterns = [
    path("sign-in/", OIDCSignInView.as_view(), name="sign-in"),
    path("callback/", OIDCCallbackView.as_view(), name="callback"),
]
