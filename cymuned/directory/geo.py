"""Where a searcher is, without the internet: postcode district centroids and towns bundled in ``data/``.

A full or partial postcode is reduced to its district (the outward code: ``CF47 8AN`` -> ``CF47``), whose
approximate centre is looked up in ``data/postcode_districts.csv`` (see ``data/README.md``). Distances are
great-circle (haversine) distances in kilometres: :func:`haversine_km` for Python, :func:`haversine_expression`
for SQL, so a search sorts by distance in the database in one query.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import ExpressionWrapper, F, FloatField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

from cymuned.core.models import localised

DATA = Path(__file__).resolve().parent / "data"
EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344

POSTCODE_RE = re.compile(r"^\s*([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})?\s*$")


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    label: str = ""


@dataclass(frozen=True)
class Town:
    name_en: str
    name_cy: str
    latitude: float
    longitude: float

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def key(self) -> str:
        return self.name_en.lower().replace(" ", "-")


@cache
def postcode_districts() -> dict[str, Point]:
    with (DATA / "postcode_districts.csv").open(encoding="utf-8") as f:
        return {row["district"]: Point(float(row["latitude"]), float(row["longitude"]), row["place"]) for row in csv.DictReader(f)}


@cache
def towns() -> dict[str, Town]:
    with (DATA / "towns.csv").open(encoding="utf-8") as f:
        rows = [Town(r["name_en"], r["name_cy"], float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(f)]
    return {t.key: t for t in rows}


def outward_code(postcode: str) -> str | None:
    """The district of a full or partial UK postcode, or None if it does not look like one."""
    match = POSTCODE_RE.match(postcode.upper())
    return match.group(1) if match else None


def point_for_postcode(postcode: str) -> Point | None:
    """The approximate centre of the postcode's district, if the district is one we know (Wales)."""
    district = outward_code(postcode)
    return postcode_districts().get(district) if district else None


def haversine_km(a: Point, b: Point) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_expression(origin: Point, latitude: str = "latitude", longitude: str = "longitude") -> Combinable:
    """SQL for the distance in km from ``origin`` to the row's ``latitude``/``longitude`` columns."""
    lat = Radians(ExpressionWrapper(F(latitude), output_field=FloatField()))
    lon = Radians(ExpressionWrapper(F(longitude), output_field=FloatField()))
    lat0, lon0 = math.radians(origin.latitude), math.radians(origin.longitude)
    h = Power(Sin((lat - Value(lat0)) / 2), 2) + Value(math.cos(lat0)) * Cos(lat) * Power(Sin((lon - Value(lon0)) / 2), 2)
    return ExpressionWrapper(Value(2 * EARTH_RADIUS_KM) * ASin(Least(Value(1.0), Sqrt(h))), output_field=FloatField())
