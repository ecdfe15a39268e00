"""Applying a parsed file (an ImportedFair) to the fair: one transaction, only what
differs, the same notices as the organisers' mutations, nothing at all when refused or
dry-run. Live subscribers on the real websocket check who hears what."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from server.auth.viewer import authenticate
from server.clock import in_fair_time
from server.domain.errors import DomainError
from server.domain.imports.apply import Operator, apply_import
from server.domain.imports.model import (
    ImportedEvent,
    ImportedFair,
    ImportedRoom,
    ImportedSpeaker,
    ImportedTrack,
    ImportRefused,
    Refusal,
    Where,
)
from server.domain.imports.report import ImportReport
from tests import import_fixtures
from tests.conftest import Person
from tests.import_fixtures import (
    Db,
    ImportFair,
    agenda_version,
    exhibitor_file,
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


def refused(where: Where, code: str) -> tuple[str, int | None, str]:
    return (where.file, where.line, code)


async def test_a_refused_file_writes_nothing_and_says_every_problem(
    import_fair: ImportFair, own_db: Db
) -> None:
    file = await schedule_file(own_db, file="programme.xml")
    far = datetime(2031, 12, 4, 10, tzinfo=UTC)
    changed = {
        "ses-040": {"room_id": "room-nowhere"},
        "ses-041": {"speaker_ids": ("spk-027", "spk-nobody")},
        "ses-042": {"booth_code": "Z999", "kind": "DEMO"},
        "ses-043": {"track_id": "trk-nope"},
        "ses-044": {"starts_at": far, "ends_at": far + timedelta(hours=1)},
        "ses-045": {"title_fr": "Keynote\x00"},
        "ses-046": {"capacity": 10**9},
        "ses-072": {"kind": "TALK", "speaker_ids": ("spk-002", "spk-002")},
    }
    for session_id, values in changed.items():
        file = with_session(file, replace(session_of(file, session_id), **values))
    file = replace(
        file,
        rooms=(*file.rooms, ImportedRoom("room new!", "Salle nouvelle", 0)),
        speakers=(*file.speakers, ImportedSpeaker("spk-long", "x" * 201)),
    )
    where = {s.id: s.where for s in file.sessions}
    before = await tables(own_db)
    with pytest.raises(ImportRefused) as refusal:
        await apply(import_fair, file, prune=True)
    whole = Where("programme.xml")
    assert [(r.where, r.code) for r in refusal.value.refusals] == [
        (whole, "BAD_ID"),
        (whole, "BAD_CAPACITY"),
        (whole, "TOO_LONG"),
        (where["ses-045"], "BAD_TEXT"),
        (where["ses-046"], "BAD_CAPACITY"),
        (where["ses-072"], "BAD_KIND"),
        (where["ses-072"], "REPEATED"),
        (replace(where["ses-040"], column="room"), "UNKNOWN_ROOM"),
        (replace(where["ses-041"], column="speakers"), "UNKNOWN_SPEAKER"),
        (replace(where["ses-042"], column="booth"), "UNKNOWN_BOOTH"),
        (replace(where["ses-043"], column="track"), "UNKNOWN_TRACK"),
        (replace(where["ses-044"], column="start"), "OUTSIDE_FAIR"),
    ]
    by_code = {r.code: r for r in refusal.value.refusals}
    assert by_code["UNKNOWN_ROOM"] == Refusal(
        replace(where["ses-040"], column="room"),
        "UNKNOWN_ROOM",
        "la salle `room-nowhere` n'est ni dans le fichier ni dans le salon",
        "the room `room-nowhere` is neither in the file nor in the fair",
    )
    assert by_code["OUTSIDE_FAIR"].text("en") == (
        f"programme.xml line {where['ses-044'].line}, column `start`: the session "
        "(2031-12-04 10:00) falls "
        "outside the fair's days: between 2026-11-26 00:00 and 2026-12-14 00:00"
    )
    assert by_code["TOO_LONG"].text("fr") == (
        "programme.xml: `speaker spk-long: name` a 201 caractères : au plus 200"
    )
    assert await tables(own_db) == before


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


async def quiet_exhibitors(db: Db, count: int) -> list[str]:
    """Exhibitors nobody follows, works for or names in a session."""
    rows = await db.fetch(
        """SELECT e.id FROM exhibitor e
            WHERE NOT EXISTS (SELECT 1 FROM follow f WHERE f.exhibitor_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM person p WHERE p.exhibitor_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM session s WHERE s.exhibitor_id = e.id)
            ORDER BY e.id DESC LIMIT $1""",
        count,
    )
    return [r["id"] for r in rows]


async def test_an_exhibitor_sheet_names_sectors_and_booths_as_people_write_them(
    import_fair: ImportFair, own_db: Db
) -> None:
    file = await exhibitor_file(own_db)
    assert not (await apply(import_fair, file)).changes_anything
    mover, loser = await quiet_exhibitors(own_db, 2)
    [booth] = [b for e in file.exhibitors if e.id == loser for b in e.booth_codes][:1]
    rows = {e.id: e for e in file.exhibitors}
    rows[mover] = replace(
        rows[mover], sectors=("MÉCANIQUE", "metallurgy"), booth_codes=(booth.lower(),)
    )
    rows[loser] = replace(rows[loser], booth_codes=())
    file = replace(file, exhibitors=tuple(rows.values()))
    report = await apply(import_fair, file)
    assert report.kinds["exhibitors"].changed == [mover]
    moved = await own_db.fetchrow("SELECT sectors FROM exhibitor WHERE id = $1", mover)
    assert moved["sectors"] == ["mechanics", "metallurgy"]
    owner = await own_db.fetchval("SELECT exhibitor_id FROM booth WHERE code = $1", booth)
    assert owner == mover
    assert not (await apply(import_fair, file)).changes_anything


async def test_exhibitors_the_sheet_omits_stay_unless_pruned_and_unfollowed(
    import_fair: ImportFair, own_db: Db
) -> None:
    followed, unfollowed = await quiet_exhibitors(own_db, 2)
    fan = await import_fair.people.make()
    await import_fair.own.gql.data(
        "mutation($e: ID!) { followExhibitor(exhibitorId: $e) { id } }", {"e": followed}, as_=fan
    )
    file = await exhibitor_file(own_db)
    file = replace(
        file, exhibitors=tuple(e for e in file.exhibitors if e.id not in (followed, unfollowed))
    )
    kept = await apply(import_fair, file)
    assert (kept.changes_anything, kept.kinds["exhibitors"].kept) == (
        False,
        sorted([followed, unfollowed]),
    )
    pruned = await apply(import_fair, file, prune=True)
    assert (pruned.kinds["exhibitors"].deleted, pruned.kinds["exhibitors"].kept) == (
        [unfollowed],
        [followed],
    )
    left = await own_db.fetch(
        "SELECT id FROM exhibitor WHERE id = any($1) ORDER BY id", [followed, unfollowed]
    )
    assert [r["id"] for r in left] == [followed]
    assert (
        await own_db.fetchval("SELECT count(*) FROM booth WHERE exhibitor_id = $1", unfollowed) == 0
    )


async def test_the_event_a_file_describes_is_written_when_it_differs(
    import_fair: ImportFair, own_db: Db
) -> None:
    event = await own_db.fetchrow("SELECT * FROM event")
    same = ImportedEvent(event["name_fr"], event["starts_on"], event["ends_on"], event["timezone"])
    file = replace(await schedule_file(own_db), event=same)
    assert (await apply(import_fair, file)).kinds["event"].unchanged == [event["id"]]
    renamed = replace(file, event=replace(same, name="SISTEP 2026", city="Casablanca"))
    assert (await apply(import_fair, renamed)).kinds["event"].changed == [event["id"]]
    after = await own_db.fetchrow("SELECT * FROM event")
    assert dict(after) == dict(event) | {"name_fr": "SISTEP 2026"}
    assert (await apply(import_fair, file)).kinds["event"].changed == [event["id"]]
    bad = replace(file, event=replace(same, timezone="Mars/Olympus"))
    with pytest.raises(ImportRefused) as refusal:
        await apply(import_fair, bad)
    assert [r.code for r in refusal.value.refusals] == ["BAD_TIMEZONE"]


async def test_only_organisers_import(import_fair: ImportFair, own_db: Db) -> None:
    file = await schedule_file(own_db)
    attendee = await import_fair.people.make("ATTENDEE")
    viewer = await authenticate(import_fair.pool, f"Bearer {attendee.token}", datetime.now(UTC))
    for actor, code in ((None, "UNAUTHENTICATED"), (viewer, "FORBIDDEN")):
        with pytest.raises(DomainError) as refused:
            await apply_import(
                import_fair.pool, actor, file, datetime.now(UTC), dry_run=True, prune=False
            )
        assert refused.value.code == code


async def test_a_file_too_big_for_a_fair_is_refused_before_any_row_is_read(
    import_fair: ImportFair, own_db: Db
) -> None:
    file = await schedule_file(own_db)
    row = file.sessions[0]
    many = replace(file, sessions=tuple(replace(row, id=f"x{i}") for i in range(5_001)))
    with pytest.raises(ImportRefused) as refusal:
        await apply(import_fair, many)
    assert [(r.code, r.en) for r in refusal.value.refusals] == [
        ("TOO_MANY_ROWS", "5001 rows of sessions: at most 5000 per file")
    ]
