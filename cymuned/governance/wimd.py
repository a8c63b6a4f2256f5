"""Import the Welsh Index of Multiple Deprivation (WIMD) ranks by small area from the published CSV.

Welsh Government publishes WIMD as index and domain ranks for each Lower layer Super Output Area (LSOA): one row
per small area with its code, names, the overall WIMD rank and the eight domain ranks (1 is the most deprived of
the ``areas_in_wales``, 1,909 in WIMD 2019). The published file's headings are::

    LSOA code, LSOA name (Eng), Local authority name (Eng), WIMD 2019, Income, Employment, Health, Education,
    Access to Services, Housing, Community Safety, Physical Environment

Headings are matched without regard to case or spacing; the overall rank is the column whose heading starts
"WIMD" (or "Overall"), and a domain may end in "rank". The Welsh-language name columns, if present, are ignored.

Every row is checked before anything is written; any error and nothing is imported (all or nothing), and the errors
say which row and what is wrong. A second import of the same edition replaces it whole.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cymuned.access.policy import can_create

from .models import WimdArea, WimdEdition

#: The largest file accepted (WIMD 2019 as CSV is about 150 KB).
MAX_BYTES = 5 * 1024 * 1024
#: At most this many row errors are reported.
MAX_ERRORS = 50
LSOA = re.compile(r"^W01\d{6}$")

#: Field -> how its heading may be written (normalised: lower case, single spaces, no brackets).
COLUMNS: dict[str, tuple[str, ...]] = {
    "lsoa_code": ("lsoa code", "lsoa11cd", "lsoa_code", "code"),
    "lsoa_name": ("lsoa name eng", "lsoa name", "lsoa11nm", "lsoa_name", "name"),
    "local_authority_name": ("local authority name eng", "local authority name", "local authority", "la name"),
    "income_rank": ("income",),
    "employment_rank": ("employment",),
    "health_rank": ("health",),
    "education_rank": ("education",),
    "access_rank": ("access to services", "access"),
    "housing_rank": ("housing",),
    "safety_rank": ("community safety", "safety"),
    "environment_rank": ("physical environment", "environment"),
}
RANK_FIELDS = ["overall_rank", "income_rank", "employment_rank", "health_rank", "education_rank", "access_rank", "housing_rank",
               "safety_rank", "environment_rank"]
REQUIRED = ["lsoa_code", "lsoa_name", *RANK_FIELDS]


@dataclass(frozen=True)
class RowError:
    row: int  # the line of the file (the heading is line 1); 0 for the file as a whole
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message} if self.row else self.message


class WimdImportError(ValidationError):
    """The file was refused; ``errors`` lists what is wrong, row by row."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__([str(e) for e in errors], code="wimd_invalid")


def _normalise(heading: str) -> str:
    text = re.sub(r"[()\[\]_]", " ", heading.strip().lower())
    text = re.sub(r"\s+rank$", "", re.sub(r"\s+", " ", text).strip())
    return text


def _map_headings(headings: list[str]) -> tuple[dict[str, int], list[RowError]]:
    found: dict[str, int] = {}
    for index, heading in enumerate(headings):
        name = _normalise(heading)
        if "overall_rank" not in found and (name.startswith("wimd") or name.startswith("overall")):
            found["overall_rank"] = index
            continue
        for field, aliases in COLUMNS.items():
            if field not in found and name in aliases:
                found[field] = index
                break
    missing = [f for f in REQUIRED if f not in found]
    errors = []
    if missing:
        labels = {"lsoa_code": "LSOA code", "lsoa_name": "LSOA name (Eng)", "overall_rank": "WIMD 2019", "income_rank": "Income",
                  "employment_rank": "Employment", "health_rank": "Health", "education_rank": "Education",
                  "access_rank": "Access to Services", "housing_rank": "Housing", "safety_rank": "Community Safety",
                  "environment_rank": "Physical Environment"}
        errors.append(RowError(0, _("The file has no column for: %(columns)s. Use the published WIMD ranks file.")
                               % {"columns": ", ".join(labels[m] for m in missing)}))
    return found, errors


def parse(content: bytes, *, areas_in_wales: int) -> tuple[list[dict[str, Any]], list[RowError]]:
    """The rows of a WIMD ranks CSV and any errors; rows are only usable when there are no errors."""
    if not content:
        return [], [RowError(0, _("The file is empty."))]
    if len(content) > MAX_BYTES:
        return [], [RowError(0, _("The file must be smaller than 5 MB."))]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            return [], [RowError(0, _("The file must be a CSV file saved as UTF-8."))]
    if "\x00" in text:
        return [], [RowError(0, _("The file must be a CSV file saved as UTF-8."))]
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return [], [RowError(0, _("The file is not a readable CSV file."))]
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        return [], [RowError(0, _("The file is empty."))]
    columns, errors = _map_headings(lines[0])
    if errors:
        return [], errors
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if len(errors) >= MAX_ERRORS:
            break

        def cell(field: str, line: list[str] = line) -> str:
            index = columns.get(field)
            return line[index].strip() if index is not None and index < len(line) else ""

        code = cell("lsoa_code").upper()
        row: dict[str, Any] = {"lsoa_code": code, "lsoa_name": cell("lsoa_name")[:120],
                               "local_authority_name": cell("local_authority_name")[:120]}
        if not LSOA.match(code):
            errors.append(RowError(number, _("“%(code)s” is not a Welsh small area code (W01 and six digits).") % {"code": code[:20]}))
            continue
        if code in seen:
            errors.append(RowError(number, _("%(code)s is already on row %(row)s.") % {"code": code, "row": seen[code]}))
            continue
        seen[code] = number
        if not row["lsoa_name"]:
            errors.append(RowError(number, _("The small area name is missing.")))
            continue
        for field in RANK_FIELDS:
            raw = cell(field).replace(",", "")
            if not raw.isdigit() or not 1 <= int(raw) <= areas_in_wales:
                errors.append(RowError(number, _("The %(column)s rank “%(value)s” must be a whole number from 1 to %(most)s.")
                                       % {"column": lines[0][columns[field]].strip()[:40], "value": raw[:20], "most": areas_in_wales}))
                break
            row[field] = int(raw)
        else:
            rows.append(row)
    if not rows and not errors:
        errors.append(RowError(0, _("The file has a heading but no small areas.")))
    return rows, errors


def wimd_import(*, by: Any, name: str, content: bytes, filename: str = "", is_synthetic: bool = False,
                areas_in_wales: int = 1909) -> WimdEdition:
    """Check every row, then (only if all are good) replace the edition's areas in one transaction."""
    if not can_create(by, WimdEdition):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise WimdImportError([RowError(0, _("Enter the name of the edition, for example WIMD 2019."))])
    rows, errors = parse(content, areas_in_wales=areas_in_wales)
    if errors:
        raise WimdImportError(errors)
    with transaction.atomic():
        edition, _created = WimdEdition.objects.select_for_update().get_or_create(name=name)
        edition.areas.all().delete()
        edition.areas_in_wales = areas_in_wales
        edition.is_synthetic = is_synthetic
        edition.imported_by = by if getattr(by, "is_authenticated", False) else None
        edition.source_filename = filename[:255]
        edition.save()
        WimdArea.objects.bulk_create([WimdArea(edition=edition, **row) for row in rows], batch_size=1000)
    return edition


def decile(rank: int, areas_in_wales: int) -> int:
    """1 for the most deprived tenth of small areas in Wales, 10 for the least."""
    return min(10, (rank * 10 - 1) // areas_in_wales + 1)
