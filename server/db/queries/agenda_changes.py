"""SQL of the offline copy: what changed in the public agenda after a version
(recorded by the triggers of migration 0006), and the rows to send."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.db.queries.agenda import SESSION_COLUMNS, SessionRow
from server.db.queries.common import Executor
from server.db.queries.exhibitors import (
    EXHIBITOR_COLUMNS,
    SPEAKER_COLUMNS,
    ExhibitorRow,
    SpeakerRow,
)


@dataclass(frozen=True, slots=True)
class AgendaState:
    #: Names this database (its random origin and its oid).
    origin: str
    version: int
    #: Versions below it may have lost changes.
    horizon: int
    #: Whether the version asked about is one of this database, from the horizon on.
    patchable: bool


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    id: str
    removed: bool


async def changes_after(
    db: Executor, origin: str | None, after: int | None
) -> tuple[AgendaState, list[Change]]:
    """The agenda's state and, when (`origin`, `after`) is a version of this database
    that can still be patched (same origin, not below the horizon, not above the
    version), what changed after it. One statement: the state and the changes are of
    one snapshot, so no pruning or write can fall between them."""
    rows = await db.fetch(
        """WITH state AS (
               SELECT s.origin || to_hex(d.oid::bigint) AS origin, s.version, s.horizon
                 FROM agenda_state s JOIN pg_database d ON d.datname = current_database()),
           checked AS (
               SELECT state.*, coalesce(origin = $1::text
                                        AND $2::bigint BETWEEN horizon AND version, false)
                               AS patchable
                 FROM state)
           SELECT k.origin, k.version, k.horizon, k.patchable, c.kind, c.id, c.removed
             FROM checked k LEFT JOIN agenda_change c ON k.patchable AND c.version > $2::bigint
            ORDER BY c.kind, c.id""",
        origin,
        after,
    )
    first = rows[0]
    state = AgendaState(
        origin=first["origin"],
        version=first["version"],
        horizon=first["horizon"],
        patchable=first["patchable"],
    )
    changes = [Change(r["kind"], r["id"], r["removed"]) for r in rows if r["kind"] is not None]
    return state, changes


async def sessions_in_order(db: Executor, ids: Sequence[str] | None) -> list[SessionRow]:
    """Every session (`ids` None) or those of `ids`, in the agenda's order."""
    rows = await db.fetch(
        f"""SELECT {SESSION_COLUMNS} FROM session s
             WHERE $1::text[] IS NULL OR s.id = any($1::text[])
             ORDER BY s.starts_at, s.id""",
        ids,
    )
    return [SessionRow(**r) for r in rows]


async def exhibitors_in_order(db: Executor, ids: Sequence[str] | None) -> list[ExhibitorRow]:
    """Every exhibitor (`ids` None) or those of `ids`, in the directory's order."""
    rows = await db.fetch(
        f"""SELECT {EXHIBITOR_COLUMNS} FROM exhibitor e
             WHERE $1::text[] IS NULL OR e.id = any($1::text[])
             ORDER BY e.name, e.id""",
        ids,
    )
    return [ExhibitorRow(**r) for r in rows]


async def speakers_in_order(db: Executor, ids: Sequence[str] | None) -> list[SpeakerRow]:
    """Every speaker (`ids` None) or those of `ids`, in the directory's order."""
    rows = await db.fetch(
        f"""SELECT {SPEAKER_COLUMNS} FROM speaker p
             WHERE $1::text[] IS NULL OR p.id = any($1::text[])
             ORDER BY p.name, p.id""",
        ids,
    )
    return [SpeakerRow(**r) for r in rows]


async def prune_tombstones(conn: Executor, older_than_days: int) -> int:
    """Forget removals older than that many days (database time: the triggers stamp
    them); the horizon moves past the newest one forgotten, so a client that might have
    missed one gets a complete copy. Returns how many were forgotten. Inside the
    caller's transaction."""
    # The agenda_state row first, as every agenda writer takes it: a writer stamping a
    # tombstone again while this one deletes it would otherwise wait in a cycle.
    await conn.execute("SELECT 1 FROM agenda_state FOR UPDATE")
    pruned: int = await conn.fetchval(
        """WITH gone AS (
               DELETE FROM agenda_change
                WHERE removed AND changed_at < now() - make_interval(days => $1::int)
               RETURNING version),
           moved AS (
               UPDATE agenda_state
                  SET horizon = greatest(horizon, (SELECT max(version) FROM gone)),
                      -- Answers change (complete, not a patch): cached ones must go.
                      version = version + 1
                WHERE EXISTS (SELECT 1 FROM gone)
               RETURNING 1)
           SELECT count(*) FROM gone""",
        older_than_days,
    )
    return pruned
