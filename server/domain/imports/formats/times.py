"""Instants and durations as import files write them.

An instant with an offset is that instant; a wall-clock time is read in the zone the
source names (a schedule's time zone, the fair's zone for a spreadsheet) through
server.clock, never the host's zone data. Years are checked before any arithmetic, so
that no far-off value can overflow.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from server import clock
from server.domain.imports.formats.limits import FIRST_YEAR, LAST_YEAR, MAX_SESSION
from server.domain.imports.formats.refusals import Fault, shown

#: A value of a spreadsheet cell: what csv gives (text) and what openpyxl gives.
Cell = str | int | float | bool | datetime | date | time | timedelta | None
#: Where a wall clock is read: an IANA zone's name (made by server.clock) or the fixed
#: offset a file wrote elsewhere (a frab day's start).
Zone = str | timezone

EXPECTED_INSTANT = "2026-12-03 09:30"
EXPECTED_DURATION = "01:30"

_OFFSET = r"(?P<offset>Z|[+-]\d{2}:?\d{2})?"
_CLOCK = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d{1,6})?)?"
#: 2026-12-03 09:30, 2026-12-03T09:30:00+01:00
_ISO = re.compile(
    rf"(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})[T ]\s*{_CLOCK}\s*{_OFFSET}"
)
#: 03/12/2026 09:30 (day first, as France writes it)
_FRENCH = re.compile(
    rf"(?P<day>\d{{1,2}})/(?P<month>\d{{1,2}})/(?P<year>\d{{4}})\s+{_CLOCK}\s*{_OFFSET}"
)
_DURATION = re.compile(r"(?P<hours>\d{1,2}):(?P<minutes>\d{2})(?::(?P<seconds>\d{2}))?")


def _not_an_instant(text: str) -> Fault:
    return Fault(
        "BAD_DATETIME",
        f"{shown(text)} n'est pas une date et heure (attendu {EXPECTED_INSTANT})",
        f"{shown(text)} is not a date and time (expected {EXPECTED_INSTANT})",
    )


def _check_year(year: int, text: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Fault(
            "OUT_OF_RANGE",
            f"{shown(text)} est hors des années {FIRST_YEAR} à {LAST_YEAR}",
            f"{shown(text)} is outside the years {FIRST_YEAR} to {LAST_YEAR}",
        )


def _offset(text: str | None) -> timezone | None:
    if text is None:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 18 or minutes > 59:
        raise ValueError(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def wall_clock(local: datetime, zone: Zone, text: str) -> datetime:
    """The instant at which clocks in `zone` read `local`; Fault when they never do."""
    _check_year(local.year, text)
    if isinstance(zone, timezone):
        return local.replace(tzinfo=zone)
    rules = clock.zone(zone)
    try:
        return clock.from_wall_clock(local, rules).astimezone(rules)
    except ValueError:
        raise Fault(
            "NONEXISTENT_TIME",
            f"{shown(text)} n'existe pas à l'heure de {zone} (les horloges sautent cette heure)",
            f"{shown(text)} does not exist in {zone} time (the clocks skip it)",
        ) from None


def instant_of_text(text: str, zone: Zone) -> datetime:
    """`2026-12-03 09:30`, `2026-12-03T09:30`, `03/12/2026 09:30`, with or without
    seconds and an offset; without one, the wall clock of `zone`."""
    match = _ISO.fullmatch(text.strip()) or _FRENCH.fullmatch(text.strip())
    if match is None:
        raise _not_an_instant(text)
    year = int(match["year"])
    _check_year(year, text)
    try:
        offset = _offset(match["offset"])
        local = datetime(
            year,
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
        )
    except ValueError:
        raise _not_an_instant(text) from None
    if offset is None:
        return wall_clock(local, zone, text)
    return local.replace(tzinfo=offset)


def instant_of_cell(cell: Cell, zone: Zone = clock.FAIR_ZONE_NAME) -> datetime:
    """A spreadsheet's date and time: text as instant_of_text reads it, or an Excel
    date-and-time cell (a wall clock of `zone`)."""
    if isinstance(cell, datetime):
        text = cell.isoformat(sep=" ", timespec="minutes")
        if cell.tzinfo is not None:
            _check_year(cell.year, text)
            return cell
        return wall_clock(cell, zone, text)
    if isinstance(cell, str):
        return instant_of_text(cell, zone)
    raise _not_an_instant(_cell_text(cell))


def duration_of_cell(cell: Cell) -> timedelta:
    """`01:30`, `1:30:00`, or an Excel time or duration cell."""
    if isinstance(cell, timedelta):
        return cell
    if isinstance(cell, time):
        return timedelta(hours=cell.hour, minutes=cell.minute, seconds=cell.second)
    text = cell.strip() if isinstance(cell, str) else _cell_text(cell)
    match = _DURATION.fullmatch(text)
    if match is None or int(match["minutes"]) > 59 or int(match["seconds"] or 0) > 59:
        raise Fault(
            "BAD_DURATION",
            f"{shown(text)} n'est pas une durée (attendu {EXPECTED_DURATION})",
            f"{shown(text)} is not a duration (expected {EXPECTED_DURATION})",
        )
    return timedelta(
        hours=int(match["hours"]),
        minutes=int(match["minutes"]),
        seconds=int(match["seconds"] or 0),
    )


def check_span(starts_at: datetime, ends_at: datetime) -> None:
    """Fault unless the session ends after it starts, within MAX_SESSION."""
    if starts_at < ends_at and ends_at - starts_at <= MAX_SESSION:
        return  # most sessions: no message to write
    start, end = _minutes(starts_at), _minutes(ends_at)
    if ends_at <= starts_at:
        raise Fault(
            "END_BEFORE_START",
            f"la fin ({end}) n'est pas après le début ({start})",
            f"the end ({end}) is not after the start ({start})",
        )
    if ends_at - starts_at > MAX_SESSION:
        hours = MAX_SESSION // timedelta(hours=1)
        raise Fault(
            "TOO_LONG_SESSION",
            f"de {start} à {end}, la session dépasse {hours} h",
            f"from {start} to {end}, the session is longer than {hours} hours",
        )


def _minutes(instant: datetime) -> str:
    return instant.isoformat(sep=" ", timespec="minutes")


def _cell_text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell)


def offset_of(value: object) -> timezone | None:
    """The fixed offset an ISO date-time is written with (a frab day's start), if any."""
    if not isinstance(value, str):
        return None
    try:
        written = datetime.fromisoformat(value).tzinfo
    except ValueError:
        return None
    return written if isinstance(written, timezone) else None
