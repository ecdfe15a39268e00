"""The one source of "now" and of time zones (docs/architecture.md, "The clock").

Zones come only from the pinned `tzdata` package, never from the host's zone
database: Morocco left UTC+01 for UTC+00 on 2026-09-20 (IANA 2026c), and a host
with older data would shift every time of the fair by an hour, silently.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Final, TypeAlias

import tzdata

#: The IANA release of the zone data every process uses, e.g. "2026f".
TZDATA_VERSION: Final[str] = str(tzdata.IANA_VERSION)
#: The oldest release that knows Morocco's permanent UTC+00.
OLDEST_CORRECT_TZDATA: Final = "2026c"
FAIR_ZONE_NAME: Final = "Africa/Casablanca"

_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*")

# Libraries that make zones by name (icalendar, for one) go through zoneinfo's own
# search path, which starts with the host's database and PYTHONTZPATH: point it at
# the package alone so that they agree with `zone()`.
zoneinfo.reset_tzpath(to=[])
zoneinfo.ZoneInfo.clear_cache()


class UnknownZone(ValueError):
    pass


#: A time zone, as only this module makes them (from the pinned tzdata).
Zone: TypeAlias = zoneinfo.ZoneInfo


@functools.lru_cache(maxsize=32)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone `name`, read from the pinned tzdata package; the only place a
    zone is made."""
    if not _ZONE_NAME.fullmatch(name):
        raise UnknownZone(f"{name!r} is not an IANA time zone name.")
    resource = resources.files("tzdata.zoneinfo").joinpath(*name.split("/"))
    try:
        with resource.open("rb") as data:
            return zoneinfo.ZoneInfo.from_file(data, key=name)
    except (OSError, ValueError) as missing:
        raise UnknownZone(f"{name!r} is not in the zone data ({TZDATA_VERSION}).") from missing


def _check_tzdata_release(version: str) -> None:
    # IANA names releases by year and a letter: "2026c" < "2026f" < "2027a".
    if version < OLDEST_CORRECT_TZDATA:
        raise RuntimeError(
            f"tzdata {version} predates {OLDEST_CORRECT_TZDATA}, which moved Morocco to "
            "UTC+00: every fair time would be an hour off. Upgrade the tzdata package."
        )


_check_tzdata_release(TZDATA_VERSION)

#: The fair's zone, by current rules.
FAIR_TZ: Final = zone(FAIR_ZONE_NAME)


def from_wall_clock(local: datetime, tz: zoneinfo.ZoneInfo = FAIR_TZ) -> datetime:
    """The instant at which clocks in `tz` read `local` (a naive wall-clock time).

    A time the clocks skip (a spring-forward gap) is refused; a time they show twice
    (a fall-back fold) is the earlier of the two.
    """
    if local.tzinfo is not None:
        raise ValueError("from_wall_clock takes a wall-clock time without an offset.")
    instant = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local:
        raise ValueError(f"{local.isoformat()} does not exist on the clocks of {tz.key}.")
    return instant


def in_fair_time(instant: datetime) -> datetime:
    """`instant` as the fair's clocks show it, with the offset they have then."""
    return instant.astimezone(FAIR_TZ)


def day_span(day: date, tz: zoneinfo.ZoneInfo = FAIR_TZ) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next day) of a calendar day in `tz`."""
    midnight = datetime.combine(day, time(0))
    return (
        from_wall_clock(midnight, tz),
        from_wall_clock(midnight + timedelta(days=1), tz),
    )


def zone_data_facts(now: datetime) -> dict[str, str]:
    """What a process logs at start: which zone data it uses, and what it makes of now."""
    return {
        "tzdata": TZDATA_VERSION,
        "zone": FAIR_ZONE_NAME,
        "fair_time": in_fair_time(now).isoformat(timespec="minutes"),
    }


def parse_instant(text: str, tz: zoneinfo.ZoneInfo = FAIR_TZ) -> datetime:
    """ISO-8601. With an offset it is that instant; without, a wall-clock time in `tz`
    (the fair's zone unless said), by current rules."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        return from_wall_clock(value, tz)
    return value


class Clock:
    """Real time plus an offset; `freeze` stops it, `set` moves it."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        #: What `reset` goes back to: real time, or the demo's "as if it were" time.
        self._own_offset = offset
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

    def reset(self, ahead: timedelta = timedelta(0)) -> None:
        """Back to the clock's own time (real, or the demo's), running, `ahead` of it."""
        self._frozen = None
        self._offset = self._own_offset + ahead


def clock_from_setting(now: str | None) -> Clock:
    return Clock() if not now else Clock.starting_at(parse_instant(now))
