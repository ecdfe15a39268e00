"""The contract's custom scalars: DateTime in fair time, Date, GeoJSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NewType

import strawberry

from server.clock import in_fair_time
from server.domain.instants import EARLIEST, LATEST, OutOfRange, accepted_instant

_EXAMPLE = "2026-12-03T09:30:00+00:00"

#: The contract's words; a client shows the wall clock of the offset it is given.
DATETIME_DESCRIPTION = (
    "ISO-8601 instant. Out of Salon it always carries the UTC offset that the fair's "
    "clocks (Africa/Casablanca) have at that instant by current IANA zone data, e.g. "
    f"{_EXAMPLE} in December 2026: show the wall-clock time it reads, never a "
    "conversion with the device's own zone data (which may be stale). In, any offset "
    "is kept as that instant; a value without one is a time on the fair's clocks. "
    f"Accepted from {EARLIEST.isoformat()} to {LATEST.isoformat()}."
)


def _serialize_instant(value: datetime) -> str:
    return in_fair_time(value).isoformat()


def _parse_instant(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"DateTime must be an ISO-8601 string such as {_EXAMPLE}.")
    try:
        return accepted_instant(value)
    except OutOfRange:
        raise
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 instant such as {_EXAMPLE}.") from None


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
        description=DATETIME_DESCRIPTION,
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
