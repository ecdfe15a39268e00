"""Applying a parsed file (an ImportedFair) to the fair: one transaction, only what
differs, the same notices as the organisers' mutations, nothing at all when refused or
dry-run. Live subscribers on the real websocket check who hears what."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from server.clock import in_fair_time
from server.domain.imports.apply import apply_import
from server.domain.imports.model import (
    ImportedRoom,
    ImportedSpeaker,
    ImportedTrack,
)
from tests import import_fixtures
from tests.conftest import Person
from tests.import_fixtures import (
    OPERATOR,
    Db,
    ImportFair,
    agenda_version,
    apply,
    bookmark,
    counts,
    nothing_but,
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

DAYS_FR = {3: "jeudi 3 décembre", 4: "vendredi 4 décembre", 5: "samedi 5 décembre"}


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


async def test_prune_deletes_a_session_nobody_holds_and_cancels_a_held_one(
    import_fair: ImportFair, own_db: Db, organiser: Person
) -> None:
    unheld, held = "ses-060", "ses-061"
    bookmarker = await import_fair.people.make()
    await bookmark(import_fair, bookmarker, held)
    file = without_sessions(await schedule_file(own_db), unheld, held)
    async with live_client(import_fair.ws_url, bookmarker.token) as ws:
        await ws.subscribe()
        report = await apply(import_fair, file, prune=True)
        assert (report.kinds["sessions"].deleted, report.kinds["sessions"].cancelled) == (
            [unheld],
            [held],
        )
        [heard] = await ws.notices(1)
        assert (heard["kind"], heard["session"]) == ("SESSION_CANCELLED", {"id": held})
        await import_fair.next_is_barrier(organiser, ws)
    assert await own_db.fetchval("SELECT count(*) FROM session WHERE id = $1", unheld) == 0
    assert await own_db.fetchval("SELECT status FROM session WHERE id = $1", held) == "CANCELLED"
    assert await own_db.fetchval("SELECT count(*) FROM bookmark WHERE session_id = $1", held) == 1
    # Pruning again deletes nothing more: the held session stays, cancelled, as do the
    # sessions cancelled before that the file still lists.
    again = await apply(import_fair, file, prune=True)
    cancelled = await own_db.fetch("SELECT id FROM session WHERE status = 'CANCELLED' ORDER BY id")
    assert held in [r["id"] for r in cancelled]
    assert (again.changes_anything, again.kinds["sessions"].kept) == (
        False,
        [r["id"] for r in cancelled],
    )


async def test_a_dry_run_writes_nothing_and_reports_what_the_real_run_does(
    import_fair: ImportFair, own_db: Db, organiser: Person
) -> None:
    moved, gone = "ses-070", "ses-071"
    bookmarker = await import_fair.people.make()
    await bookmark(import_fair, bookmarker, moved)
    await bookmark(import_fair, bookmarker, gone)
    file = without_sessions(await schedule_file(own_db), gone)
    old = session_of(file, moved)
    file = with_session(
        file,
        replace(
            old,
            starts_at=old.starts_at + timedelta(hours=1),
            ends_at=old.ends_at + timedelta(hours=1),
        ),
    )
    file = with_session(
        file, replace(old, id="ses-new-1", title_fr="Atelier ajouté", room_id="room-b2b")
    )
    before = await tables(own_db)
    async with live_client(import_fair.ws_url, bookmarker.token) as ws:
        await ws.subscribe()
        dry = await apply(import_fair, file, dry_run=True)
        assert await tables(own_db) == before
        await import_fair.next_is_barrier(organiser, ws)
        real = await apply(import_fair, file)
        assert [(n["kind"], n["session"]) for n in await ws.notices(2)] == [
            ("SESSION_CHANGED", {"id": moved}),
            ("SESSION_CANCELLED", {"id": gone}),
        ]
    assert (dry.dry_run, real.dry_run) == (True, False)
    assert dry.as_json("fr") == real.as_json("fr") | {"dryRun": True}
    kept = await own_db.fetchval(
        "SELECT count(*) FROM session WHERE status = 'CANCELLED' AND id <> $1", gone
    )
    assert counts(real, "sessions") == nothing_but(
        len(file.sessions) - 2 - kept, added=1, changed=1, cancelled=1, kept=kept
    )
    assert [(n.kind, n.session_id, n.audience) for n in real.notices] == [
        ("SESSION_CHANGED", moved, 1),
        ("SESSION_CANCELLED", gone, 1),
    ]


async def test_two_imports_at_once_take_turns(import_fair: ImportFair, own_db: Db) -> None:
    base = await schedule_file(own_db)
    first, second = "ses-051", "ses-052"
    titles = {
        first: session_of(base, first).title_fr,
        second: session_of(base, second).title_fr,
    }
    file_a = with_session(base, replace(session_of(base, first), title_fr="Titre A"))
    file_b = with_session(base, replace(session_of(base, second), title_fr="Titre B"))
    versions = dict(
        await own_db.fetch("SELECT id, version FROM session WHERE id = any($1)", [first, second])
    )
    report_a, report_b = await asyncio.gather(
        apply(import_fair, file_a), apply(import_fair, file_b)
    )
    final = dict(
        await own_db.fetch("SELECT id, title_fr FROM session WHERE id = any($1)", [first, second])
    )
    # As if one ran after the other: the later file's titles stand, and it changed back
    # what the earlier one had changed.
    a_then_b = {first: titles[first], second: "Titre B"}
    b_then_a = {first: "Titre A", second: titles[second]}
    assert final in (a_then_b, b_then_a)
    later, earlier = (report_b, report_a) if final == a_then_b else (report_a, report_b)
    assert len(earlier.kinds["sessions"].changed) == 1
    assert sorted(later.kinds["sessions"].changed) == [first, second]
    assert len(earlier.notices) + len(later.notices) == 3
    after = dict(
        await own_db.fetch("SELECT id, version FROM session WHERE id = any($1)", [first, second])
    )
    assert after == {
        first: versions[first] + 1 + (final == a_then_b),
        second: versions[second] + 1 + (final == b_then_a),
    }


async def test_rooms_tracks_and_speakers_the_file_brings_are_created(
    import_fair: ImportFair, own_db: Db
) -> None:
    file = await schedule_file(own_db)
    template = session_of(file, "ses-072")
    file = replace(
        file,
        rooms=(*file.rooms, ImportedRoom("room-annexe", "Annexe", 70)),
        tracks=(*file.tracks, ImportedTrack("trk-hydrogen", "Hydrogène", "Hydrogen", "#12AB34")),
        speakers=(*file.speakers, ImportedSpeaker("spk-new", "Nadia Idrissi", "OCP")),
    )
    file = with_session(
        file,
        replace(
            template,
            id="ses-annexe",
            title_fr="L'hydrogène vert au Maroc",
            room_id="room-annexe",
            track_id="trk-hydrogen",
            speaker_ids=("spk-new", "spk-002"),
        ),
    )
    report = await apply(import_fair, file)
    assert (
        report.kinds["rooms"].added,
        report.kinds["tracks"].added,
        report.kinds["speakers"].added,
        report.kinds["sessions"].added,
        report.notices,
    ) == (["room-annexe"], ["trk-hydrogen"], ["spk-new"], ["ses-annexe"], [])
    room = await own_db.fetchrow("SELECT * FROM room WHERE id = 'room-annexe'")
    assert (room["name"], room["capacity"], room["hall_id"], room["outline"]) == (
        "Annexe",
        70,
        None,
        None,
    )
    billed = await own_db.fetch(
        "SELECT speaker_id, position FROM session_speaker WHERE session_id = 'ses-annexe'"
        " ORDER BY position"
    )
    assert [tuple(r) for r in billed] == [("spk-new", 0), ("spk-002", 1)]
    session = await own_db.fetchrow("SELECT * FROM session WHERE id = 'ses-annexe'")
    assert (session["status"], session["version"], session["track_id"]) == (
        "SCHEDULED",
        1,
        "trk-hydrogen",
    )
    assert not (await apply(import_fair, file)).changes_anything


async def test_what_attendees_are_not_told_of_changes_without_a_notice(
    import_fair: ImportFair, own_db: Db, organiser: Person
) -> None:
    quiet = "ses-040"
    bookmarker = await import_fair.people.make()
    await bookmark(import_fair, bookmarker, quiet)
    file = await schedule_file(own_db)
    old = session_of(file, quiet)
    file = with_session(
        file,
        replace(
            old,
            abstract_en="A panel on subcontracting.",
            speaker_ids=tuple(reversed(old.speaker_ids)),
            title_en=None,  # left empty: the English title stays
        ),
    )
    before = await own_db.fetchrow("SELECT * FROM session WHERE id = $1", quiet)
    async with live_client(import_fair.ws_url, bookmarker.token) as ws:
        await ws.subscribe()
        report = await apply(import_fair, file)
        assert (report.kinds["sessions"].changed, report.notices) == ([quiet], [])
        await import_fair.next_is_barrier(organiser, ws)
    after = await own_db.fetchrow("SELECT * FROM session WHERE id = $1", quiet)
    assert (after["abstract_en"], after["title_en"], after["status"], after["version"]) == (
        "A panel on subcontracting.",
        before["title_en"],
        before["status"],
        before["version"] + 1,
    )
    billed = await own_db.fetch(
        "SELECT speaker_id FROM session_speaker WHERE session_id = $1 ORDER BY position", quiet
    )
    assert tuple(r["speaker_id"] for r in billed) == tuple(reversed(old.speaker_ids))


async def test_progress_is_told_the_rows_written_out_of_all(
    import_fair: ImportFair, own_db: Db
) -> None:
    file = await schedule_file(own_db)
    template = session_of(file, "ses-072")
    for n in range(3):
        file = with_session(
            file, replace(template, id=f"ses-late-{n}", title_fr=f"Séance {n}", room_id=None)
        )
    seen: list[tuple[int, int]] = []
    await apply_import(
        import_fair.pool,
        OPERATOR,
        file,
        import_fair.own.live.runtime.clock.now(),
        dry_run=True,
        prune=False,
        progress=lambda done, total: seen.append((done, total)),
    )
    # Three sessions in one statement, then their six billings (two speakers each).
    assert seen == [(3, 9), (9, 9)]
