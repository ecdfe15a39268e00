"""Bounds on instants (README, "Time and time zones").

Every DateTime the API accepts lies in [2000-01-01T00:00Z, 2100-12-31T23:59:59Z]
(`accepted_instant`, called by the DateTime scalar), so that a far-off instant can
neither overflow on its way in nor, once stored, break a read for everyone. Python's
datetime ends with year 9999, and 9999-12-31T23:59-05:00 overflows when shifted to UTC;
the years 2000 to 2100 hold any instant a client of a fair means, far from either edge.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from server import clock

#: The first and last instants the API accepts.
EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)


class OutOfRange(ValueError):
    pass


def accepted_instant(text: str) -> datetime:
    """`text` as an instant (clock.parse_instant) when it lies within [EARLIEST, LATEST];
    OutOfRange when not, ValueError when it is no ISO-8601 instant. Never overflows: the
    year is checked before any shift to UTC."""
    written = datetime.fromisoformat(text)
    if EARLIEST.year <= written.year <= LATEST.year:
        instant = clock.parse_instant(text)
        if EARLIEST <= instant <= LATEST:
            return instant
    raise OutOfRange(
        f"DateTime {text} is out of range: Salon accepts instants from "
        f"{EARLIEST.isoformat()} to {LATEST.isoformat()}."
    )
