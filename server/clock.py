"""The one source of "now" (DESIGN.md §7): real, shifted, or frozen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

FAIR_TZ = ZoneInfo("Africa/Casablanca")


class Clock:
    """Real time plus an offset; `freeze` stops it, `set` moves it."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._frozen: datetime | None = None

    @classmethod
    def starting_at(cls, instant: datetime) -> Clock:
        """A clock that reads `instant` now and runs on from there."""
        return cls(offset=instant - datetime.now(UTC))

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    def freeze(self, instant: datetime) -> None:
        self._frozen = instant

    def set(self, instant: datetime) -> None:
        """Run on from `instant`."""
        self._frozen = None
        self._offset = instant - datetime.now(UTC)

    def reset(self, offset: timedelta = timedelta(0)) -> None:
        self._frozen = None
        self._offset = offset


def parse_instant(text: str) -> datetime:
    """ISO-8601; a value without an offset is read as fair time (Africa/Casablanca)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=FAIR_TZ)
    return value


def clock_from_setting(now: str | None) -> Clock:
    return Clock() if not now else Clock.starting_at(parse_instant(now))
