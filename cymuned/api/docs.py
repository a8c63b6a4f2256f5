"""The OpenAPI schema, and a readable, accessible page generated from it."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView

from cymuned.access.views import Public, ScopedViewMixin

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


class SchemaView(SpectacularAPIView):
    access = Public("The API description is public; the endpoints themselves check access.")


class ApiDocsView(ScopedViewMixin, TemplateView):
    access = Public("The API description is public; the endpoints themselves check access.")
    template_name = "api/docs.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
        endpoints = []
        for path, operations in schema.get("paths", {}).items():
            for method in HTTP_METHODS:
                operation = operations.get(method)
                if operation is None:
                    continue
                endpoints.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": (operation.get("description") or "").strip().split("\n")[0],
                        "parameters": [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"],
                        "tag": (operation.get("tags") or [""])[0],
                    }
                )
        return super().get_context_data(endpoints=endpoints, info=schema.get("info", {}), **kwargs)
