"""Bounds on instants (README, "Time and time zones"), so that a far-off instant can
neither overflow on its way in nor, once stored, break a read for everyone.

- Every DateTime the API accepts lies in [2000-01-01T00:00Z, 2100-12-31T23:59:59Z]
  (`accepted_instant`, called by the DateTime scalar). Python's datetime ends with year
  9999, and 9999-12-31T23:59-05:00 overflows when shifted to UTC; the years 2000 to
  2100 hold any instant a client of a fair means, far from either edge.
- Anything scheduled (a session's new times, a demo, a held announcement's `sendAt`)
  falls within the fair's days, from the first midnight to the last, give or take
  `SCHEDULING_MARGIN` (`FairWindow.check`, in the transaction that writes); a `sendAt`
  is also not in the past by more than `SEND_AT_TOLERANCE` (`check_send_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from server import clock
from server.db.queries import agenda as agenda_sql
from server.db.queries.common import Executor
from server.domain.errors import bad_input, not_found

#: The first and last instants the API accepts.
EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)
#: How far before the fair's first day and after its last anything may be scheduled:
#: a week covers build-up, teardown and the announcements around them.
SCHEDULING_MARGIN: Final = timedelta(days=7)
#: How late a `sendAt` may be and still mean "now" (a phone's clock, a slow form).
SEND_AT_TOLERANCE: Final = timedelta(minutes=5)


class OutOfRange(ValueError):
    pass


def _shown(instant: datetime) -> str:
    return clock.in_fair_time(instant).isoformat()


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


@dataclass(frozen=True, slots=True)
class FairWindow:
    """[opens, closes]: the instants at which something may be scheduled."""

    opens: datetime
    closes: datetime

    def check(self, instant: datetime, what: str) -> None:
        """BAD_USER_INPUT unless `instant` is within the window."""
        if not self.opens <= instant <= self.closes:
            raise bad_input(
                f"{what} {_shown(instant)} is too far from the fair: anything scheduled falls "
                f"between {_shown(self.opens)} and {_shown(self.closes)} (the fair's days, "
                f"give or take {SCHEDULING_MARGIN.days} days)."
            )


async def fair_window(db: Executor) -> FairWindow:
    """The window of the fair that is loaded, from its days and zone."""
    event = await agenda_sql.event(db)
    if event is None:
        raise not_found("No fair is loaded yet: run `salon demo`.")
    return window_of(event.starts_on, event.ends_on, event.timezone)


def window_of(starts_on: date, ends_on: date, timezone: str) -> FairWindow:
    """The window of a fair held from `starts_on` to `ends_on` in that zone."""
    zone = clock.zone(timezone)
    opens, _ = clock.day_span(starts_on, zone)
    _, closes = clock.day_span(ends_on, zone)
    return FairWindow(opens=opens - SCHEDULING_MARGIN, closes=closes + SCHEDULING_MARGIN)


def check_send_at(send_at: datetime | None, now: datetime) -> datetime:
    """When a notice goes out: `send_at`, or now when it is unset or only just past.
    BAD_USER_INPUT when it is further in the past than SEND_AT_TOLERANCE."""
    if send_at is None:
        return now
    if send_at < now - SEND_AT_TOLERANCE:
        raise bad_input(
            f"sendAt {_shown(send_at)} is in the past (it is {_shown(now)}): leave it out "
            "to send now."
        )
    return max(send_at, now)
