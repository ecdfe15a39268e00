"""Applying a parsed file: refusals (all of them, nothing written), exhibitor sheets
(sectors and booths as people write them, omitted exhibitors kept or pruned), the event,
who may import, and the bounds of one file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from server.auth.viewer import authenticate
from server.domain.errors import DomainError
from server.domain.imports.apply import apply_import
from server.domain.imports.model import (
    ImportedEvent,
    ImportedRoom,
    ImportedSpeaker,
    ImportRefused,
    Refusal,
    Where,
)
from tests import import_fixtures
from tests.import_fixtures import (
    Db,
    ImportFair,
    apply,
    exhibitor_file,
    schedule_file,
    session_of,
    tables,
    with_session,
)

import_fair = import_fixtures.import_fair
own_db = import_fixtures.own_db
organiser = import_fixtures.organiser


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
    # Times written in another zone are instants like any: the fair keeps the venue's.
    berlin = replace(file, event=replace(same, timezone="Europe/Berlin"))
    assert (await apply(import_fair, berlin)).kinds["event"].unchanged == [event["id"]]
    assert await own_db.fetchval("SELECT timezone FROM event") == "Africa/Casablanca"
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
    many = replace(file, sessions=tuple(replace(row, id=f"x{i}") for i in range(10_001)))
    with pytest.raises(ImportRefused) as refusal:
        await apply(import_fair, many)
    assert [(r.code, r.en) for r in refusal.value.refusals] == [
        ("TOO_MANY_ROWS", "10001 rows of sessions: at most 10000 per file")
    ]
