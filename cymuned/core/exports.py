"""CSV that is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    """Neutralise cells a spreadsheet would run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterable[str]:
        yield "\ufeff"  # a BOM so spreadsheet programs read UTF-8 (Welsh accents) correctly
        yield writer.writerow([spreadsheet_safe(h) for h in header])
        for row in rows:
            yield writer.writerow([spreadsheet_safe(cell) for cell in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
