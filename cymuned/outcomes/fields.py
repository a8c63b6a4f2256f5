"""A list of small counts: ``smallint[]`` on PostgreSQL (a fraction of jsonb's cost to COPY in), JSON text elsewhere."""

from __future__ import annotations

import json
from typing import Any

from django.db import models


class CountsField(models.Field):
    """A list of whole numbers from 0 to 32,767 (sessions in a week or a term), as ``list[int]`` in Python."""

    description = "List of small counts"

    def db_type(self, connection: Any) -> str:
        return "smallint[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[int] | None:
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def to_python(self, value: Any) -> list[int] | None:
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        counts = [int(v) for v in value]
        return counts if connection.vendor == "postgresql" else json.dumps(counts, separators=(",", ":"))
