"""Applying a parsed file (an ImportedFair) to the fair: one transaction, only what
differs, the same notices as the organisers' mutations, nothing at all when refused or
dry-run. Live subscribers on the real websocket check who hears what."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from server.clock import in_fair_time
from server.domain.imports.apply import Operator, apply_import
from server.domain.imports.model import (
    ImportedFair,
)
from server.domain.imports.report import ImportReport
from tests import import_fixtures
from tests.conftest import Person
from tests.import_fixtures import (
    Db,
    ImportFair,
    agenda_version,
    schedule_file,
    session_of,
    tables,
    with_session,
    without_sessions,
)
from tests.live_client import live_client

import_fair = import_fixtures.import_fair
own_db = import_fixtures.own_db
organiser = import_fixtures.organiser

OPERATOR = Operator("salon import")
DAYS_FR = {3: "jeudi 3 décembre", 4: "vendredi 4 décembre", 5: "samedi 5 décembre"}


async def apply(
    fair: ImportFair, file: ImportedFair, *, dry_run: bool = False, prune: bool = False
) -> ImportReport:
    return await apply_import(
        fair.pool, OPERATOR, file, datetime.now(UTC), dry_run=dry_run, prune=prune
    )


def counts(report: ImportReport, kind: str) -> dict[str, int]:
    return report.kinds[kind].counts()


def nothing_but(unchanged: int, **others: int) -> dict[str, int]:
    return {
        "added": 0,
        "changed": 0,
        "unchanged": unchanged,
        "cancelled": 0,
        "deleted": 0,
        "kept": 0,
    } | others


async def bookmark(fair: ImportFair, person: Person, session_id: str) -> None:
    await fair.own.gql.data(
        "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }", {"s": session_id}, as_=person
    )


async def free_room(db: Db, session_id: str) -> tuple[str, str]:
    """(id, name) of a room free while this session runs."""
    row = await db.fetchrow(
        """SELECT r.id, r.name FROM room r, session t WHERE t.id = $1 AND r.id <> t.room_id
              AND NOT EXISTS (SELECT 1 FROM session s WHERE s.room_id = r.id
                  AND s.status <> 'CANCELLED' AND s.starts_at < t.ends_at
                  AND s.ends_at > t.starts_at)
            ORDER BY r.capacity DESC NULLS LAST, r.id LIMIT 1""",
        session_id,
    )
    return row["id"], row["name"]


async def test_importing_the_fair_as_it_stands_changes_nothing(
    import_fair: ImportFair, own_db: Db
) -> None:
    file = await schedule_file(own_db)
    before = await tables(own_db)
    report = await apply(import_fair, file)
    assert report.notices == []
    assert not report.changes_anything
    assert counts(report, "sessions") == nothing_but(len(file.sessions))
    assert counts(report, "rooms") == nothing_but(len(file.rooms))
    assert counts(report, "speakers") == nothing_but(len(file.speakers))
    assert counts(report, "tracks") == nothing_but(len(file.tracks))
    assert await tables(own_db) == before


async def test_a_session_moved_in_the_file_tells_what_update_session_tells(
    import_fair: ImportFair, own_db: Db, organiser: Person
) -> None:
    moved, renamed = "ses-020", "ses-021"
    room_id, room_name = await free_room(own_db, moved)
    speaker_id = await own_db.fetchval(
        "SELECT speaker_id FROM session_speaker WHERE session_id = $1 LIMIT 1", moved
    )
    speaker = await import_fair.people.make("SPEAKER", speaker_id=speaker_id)
    bookmarker, outsider = await import_fair.people.make(), await import_fair.people.make()
    await bookmark(import_fair, bookmarker, moved)
    file = await schedule_file(own_db)
    old = session_of(file, moved)
    file = with_session(file, replace(old, room_id=room_id))
    before = await own_db.fetchrow("SELECT * FROM session WHERE id = $1", moved)
    version = await agenda_version(own_db)
    async with (
        live_client(import_fair.ws_url, speaker.token) as s_ws,
        live_client(import_fair.ws_url, bookmarker.token) as b_ws,
        live_client(import_fair.ws_url, outsider.token) as o_ws,
    ):
        for client in (s_ws, b_ws, o_ws):
            await client.subscribe()
        report = await apply(import_fair, file)
        assert counts(report, "sessions") == nothing_but(len(file.sessions) - 1, changed=1)
        assert report.kinds["sessions"].changed == [moved]
        [told] = report.notices
        assert (told.kind, told.session_id, told.audience, told.text.fr) == (
            "SESSION_CHANGED",
            moved,
            2,
            f"déplacée en {room_name}",
        )
        [heard] = await s_ws.notices(1)
        assert await b_ws.notices(1) == [heard]
        assert {k: v for k, v in heard.items() if k != "id"} == {
            "kind": "SESSION_CHANGED",
            "priority": "NORMAL",
            "title": f"« {old.title_fr} » : changement",
            "body": f"déplacée en {room_name}",
            "session": {"id": moved},
            "exhibitor": None,
        }
        await import_fair.next_is_barrier(organiser, o_ws, s_ws, b_ws)
        after = await own_db.fetchrow("SELECT * FROM session WHERE id = $1", moved)
        assert (after["room_id"], after["status"], after["version"]) == (
            room_id,
            "CHANGED",
            before["version"] + 1,
        )
        assert (
            await own_db.fetchval(
                "SELECT count(*) FROM bookmark WHERE session_id = $1 AND person_id = $2",
                moved,
                bookmarker.id,
            )
            == 1
        )
        assert await agenda_version(own_db) > version

        # The same file again: nothing changes, nobody hears anything.
        version = await agenda_version(own_db)
        again = await apply(import_fair, file)
        assert (again.notices, again.changes_anything) == ([], False)
        assert await agenda_version(own_db) == version
        await import_fair.next_is_barrier(organiser, s_ws, b_ws, o_ws)

        # A new title and a larger room: both told, in one notice, as updateSession words it.
        title = "Maintenance prédictive : retours d'expérience"
        file = with_session(file, replace(session_of(file, renamed), title_fr=title, capacity=500))
        report = await apply(import_fair, file)
        [told] = report.notices
        assert (told.session_id, told.text.fr, told.text.en) == (
            renamed,
            f"nouveau titre « {title} » ; 500 places",
            f"renamed “{title}”; now 500 seats",
        )


async def test_a_session_the_file_omits_is_cancelled_for_its_public(
    import_fair: ImportFair, own_db: Db, organiser: Person
) -> None:
    gone = "ses-030"
    bookmarker = await import_fair.people.make()
    await bookmark(import_fair, bookmarker, gone)
    file = without_sessions(await schedule_file(own_db), gone)
    starts = in_fair_time(
        await own_db.fetchval("SELECT starts_at FROM session WHERE id = $1", gone)
    )
    title = await own_db.fetchval("SELECT title_fr FROM session WHERE id = $1", gone)
    async with live_client(import_fair.ws_url, bookmarker.token) as ws:
        await ws.subscribe()
        report = await apply(import_fair, file)
        assert report.kinds["sessions"].cancelled == [gone]
        [heard] = await ws.notices(1)
        assert {k: v for k, v in heard.items() if k != "id"} == {
            "kind": "SESSION_CANCELLED",
            "priority": "URGENT",
            "title": f"Annulé : « {title} »",
            "body": f"{DAYS_FR[starts.day]}, {starts:%H:%M} — retirée du programme",
            "session": {"id": gone},
            "exhibitor": None,
        }
        status = await own_db.fetchval("SELECT status FROM session WHERE id = $1", gone)
        assert status == "CANCELLED"

        # Again: it is cancelled already, nothing is said twice.
        version = await agenda_version(own_db)
        again = await apply(import_fair, file)
        assert (again.notices, again.changes_anything) == ([], False)
        assert again.kinds["sessions"].kept == [gone]
        assert await agenda_version(own_db) == version
        await import_fair.next_is_barrier(organiser, ws)
