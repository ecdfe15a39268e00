"""The contract's custom scalars: DateTime in fair time, Date, GeoJSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NewType

import strawberry

from server.clock import FAIR_TZ, parse_instant


def _serialize_instant(value: datetime) -> str:
    return value.astimezone(FAIR_TZ).isoformat()


def _parse_instant(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO-8601 string such as 2026-12-03T09:30:00+01:00.")
    try:
        return parse_instant(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO-8601 instant such as 2026-12-03T09:30:00+01:00."
        ) from None


def _parse_date(value: object) -> date:
    if not isinstance(value, str):
        raise ValueError("Date must be an ISO-8601 string such as 2026-12-03.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 date such as 2026-12-03.") from None


#: A GeoJSON geometry object; resolvers annotate fields with this type.
GeoJSON = NewType("GeoJSON", dict[str, Any])

#: Passed as StrawberryConfig.scalar_map: every `datetime`, `date` and `GeoJSON`
#: in a type is served as the contract's scalar of that name.
SCALAR_MAP: dict[object, Any] = {
    datetime: strawberry.scalar(
        name="DateTime",
        description="ISO-8601 instant with the event's UTC offset, e.g. 2026-12-03T09:30:00+01:00.",
        serialize=_serialize_instant,
        parse_value=_parse_instant,
    ),
    date: strawberry.scalar(
        name="Date",
        description="ISO-8601 calendar date, e.g. 2026-12-03.",
        serialize=date.isoformat,
        parse_value=_parse_date,
    ),
    GeoJSON: strawberry.scalar(
        name="GeoJSON",
        description="A GeoJSON geometry object in the venue's floor-plan coordinates (metres).",
        serialize=lambda value: value,
        parse_value=lambda value: value,
    ),
}
