"""What changed in the public agenda since a version: the patch a phone applies to its
offline copy, or, when its version is unknown or too old, the whole agenda again.

A version is `<origin>.<number>`: the origin names the database (a random value made
by the migration, and the database's oid), the number is `agenda_state.version`. The
triggers of migration 0006 stamp each changed session, exhibitor and speaker (and
tombstones for removed ones) with the version that changed it, under the lock that
orders agenda writers, so "changed after N" never misses a change that commits later.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from server.db.queries import agenda_changes as sql
from server.db.queries.agenda import SessionRow
from server.db.queries.common import Executor
from server.db.queries.exhibitors import ExhibitorRow, SpeakerRow
from server.domain.errors import bad_input
from server.domain.ids import parse_bigint_id
from server.domain.plans import Pool

#: Longer than any version this server makes (about 30 characters) by a wide margin.
MAX_VERSION_LENGTH = 64
_VERSION = re.compile(r"([0-9a-f]{1,40})\.([0-9]{1,19})")
#: What a version is made of; anything else cannot be one.
_PRINTABLE_ASCII = re.compile(r"[!-~]+")


@dataclass(frozen=True, slots=True)
class AgendaDelta:
    """One answer of `agendaChanges`. The id lists are None in a complete answer
    (everything public); in a patch, only what changed after `since`."""

    version: str
    complete: bool
    session_ids: list[str] | None = None
    exhibitor_ids: list[str] | None = None
    speaker_ids: list[str] | None = None
    removed_session_ids: list[str] = field(default_factory=list)
    removed_exhibitor_ids: list[str] = field(default_factory=list)
    removed_speaker_ids: list[str] = field(default_factory=list)
    #: The floor map (halls, rooms, booths, points of interest, walkways) changed.
    venue_changed: bool = True
    #: The event or its tracks changed.
    event_changed: bool = True


def parse_since(since: str | None) -> tuple[str, int] | None:
    """(origin, number) of a version this server could have made; None when there is
    none to patch from (no `since`, or a string that is no version of ours: another
    format, a number out of range). BAD_USER_INPUT for what cannot be a version at all:
    empty, longer than MAX_VERSION_LENGTH, or holding anything but printable ASCII."""
    if since is None:
        return None
    if len(since) > MAX_VERSION_LENGTH:
        raise bad_input(
            f"`since` is a version this server gave out (at most {MAX_VERSION_LENGTH} "
            "characters); leave it out for a complete copy."
        )
    if not _PRINTABLE_ASCII.fullmatch(since):
        raise bad_input(
            "`since` is a version this server gave out: printable ASCII, no spaces; "
            "leave it out for a complete copy."
        )
    found = _VERSION.fullmatch(since)
    number = parse_bigint_id(found.group(2)) if found else None
    if found is None or number is None:
        return None
    return found.group(1), number


async def changes_since(db: Executor, since: str | None) -> AgendaDelta:
    """The patch from `since` to now, or a complete answer when `since` is absent,
    unknown (another database, a reset one, a format of another server) or too old
    (before the horizon: pruned tombstones, a TRUNCATE)."""
    known = parse_since(since)
    origin, after = known if known is not None else (None, None)
    state, changes = await sql.changes_after(db, origin, after)
    version = f"{state.origin}.{state.version}"
    if not state.patchable:
        return AgendaDelta(version=version, complete=True)
    changed: dict[str, list[str]] = defaultdict(list)
    removed: dict[str, list[str]] = defaultdict(list)
    for change in changes:
        (removed if change.removed else changed)[change.kind].append(change.id)
    return AgendaDelta(
        version=version,
        complete=False,
        session_ids=changed["session"],
        exhibitor_ids=changed["exhibitor"],
        speaker_ids=changed["speaker"],
        removed_session_ids=removed["session"],
        removed_exhibitor_ids=removed["exhibitor"],
        removed_speaker_ids=removed["speaker"],
        venue_changed="venue" in changed,
        event_changed="event" in changed,
    )


async def sessions(db: Executor, delta: AgendaDelta) -> list[SessionRow]:
    """The sessions of the answer, in the agenda's order (cancelled ones included)."""
    if delta.session_ids == []:
        return []
    return await sql.sessions_in_order(db, delta.session_ids)


async def exhibitors(db: Executor, delta: AgendaDelta) -> list[ExhibitorRow]:
    if delta.exhibitor_ids == []:
        return []
    return await sql.exhibitors_in_order(db, delta.exhibitor_ids)


async def speakers(db: Executor, delta: AgendaDelta) -> list[SpeakerRow]:
    if delta.speaker_ids == []:
        return []
    return await sql.speakers_in_order(db, delta.speaker_ids)


async def prune_tombstones(db: Pool, older_than_days: int) -> int:
    """Forget removals older than that many days; clients whose version is older than
    the newest one forgotten get a complete copy from then on."""
    async with db.acquire() as conn, conn.transaction():
        return await sql.prune_tombstones(conn, older_than_days)
