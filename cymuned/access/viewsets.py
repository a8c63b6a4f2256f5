"""Base viewsets for every Cymuned API endpoint (kept apart from the permission classes,
which DRF imports while it is itself being imported)."""

from __future__ import annotations

from rest_framework import viewsets

from .views import Access, SignedIn


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Reads are scoped by ScopedFilterBackend; writes, where a subclass adds them, go through services."""

    access: Access = SignedIn()
