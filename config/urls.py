"""Root URLs. Pages live under a language prefix (/en-gb/, /cy/); the API, schema, probes and single sign-on do not."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path, reverse

from cymuned.access.views import Public, declare
from cymuned.api.docs import ApiDocsView
from cymuned.core.health import health_response, ready_response


@declare(Public("Load balancers and monitoring must reach the health check."))
def health(request: HttpRequest) -> JsonResponse:
    """The process answers and so does the database (cymuned.core.health; its middleware answers first)."""
    return health_response()


@declare(Public("Load balancers must know whether a server may take traffic."))
def ready(request: HttpRequest) -> JsonResponse:
    """Database, migrations, cache and file storage all ready; 503 with the reasons otherwise."""
    return ready_response()


handler400 = "cymuned.core.views.bad_request"
handler403 = "cymuned.core.views.permission_denied"
handler404 = "cymuned.core.views.page_not_found"
handler500 = "cymuned.core.views.server_error"

admin.site.site_header = "Cymuned"
admin.site.site_title = "Cymuned"


def _admin_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin uses Cymuned's own sign-in, so throttling and two-factor apply to it too."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url=reverse("accounts:sign-in"))


admin.site.login = _admin_sign_in  # type: ignore[method-assign]

urlpatterns = [
    path("health/", health, name="health"),
    path("ready/", ready, name="ready"),
    path("api/v1/", include("cymuned.api.urls")),
    path("api/oruk/", include("cymuned.directory.api_urls")),
]
if settings.CYMUNED_OIDC_ENABLED:
    urlpatterns += [path("oidc/", include("cymuned.accounts.oidc_urls"))]
urlpatterns += i18n_patterns(
    path("", include("cymuned.core.urls")),
    path("accounts/", include("cymuned.accounts.urls")),
    path("organisations/", include("cymuned.organisations.urls")),
    path("families/", include("cymuned.families.urls")),
    path("audit/", include("cymuned.audit.urls")),
    path("self-evaluation/", include("cymuned.evaluation.urls")),
    path("outcomes/", include("cymuned.outcomes.urls")),
    path("programmes/", include("cymuned.programmes.urls")),
    path("premises/", include("cymuned.premises.urls")),
    path("directory/", include("cymuned.directory.urls")),
    path("strategy/", include("cymuned.strategy.urls")),
    path("funding/", include("cymuned.funding.urls")),
    path("governance/", include("cymuned.governance.urls")),
    path("hub/", include("cymuned.hub.urls")),
    path("api-docs/", ApiDocsView.as_view(), name="api-docs"),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

if settings.DEBUG:  # pragma: no cover - development only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
