"""`agendaChanges`: the whole agenda once, then patches with exactly what changed.

On a fair of its own (tests/offline_copy.py): these tests rename, delete and prune.
Concurrency, statement counts and a bigger fair: tests/test_agenda_changes_load.py.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport

from server.db.migrate import migrate
from server.db.pool import connect, create_pool
from server.domain import agenda_changes
from server.services import ServiceUrls, drop_database, ensure_database
from tests import own_fair_fixtures
from tests.conftest import Person
from tests.fair_data import demo_file, demo_sessions
from tests.offline_copy import (
    AGENDA,
    CHANGES,
    EXHIBITOR,
    KINDS,
    REMOVED,
    SESSION,
    SPEAKER,
    OfflineCopy,
    OwnFair,
    as_copy,
    changes,
    patch,
)

UPDATE = """mutation($id: ID!, $input: SessionChangeInput!) {
  updateSession(id: $id, input: $input) { id } }"""
CANCEL = 'mutation($id: ID!) { cancelSession(id: $id, reason: "Intervenant absent") { id } }'
#: Talks with a track, a room and speakers, no exhibitor: each test takes its own.
TALKS = """SELECT s.id FROM session s WHERE s.kind <> 'DEMO' AND s.exhibitor_id IS NULL
    AND s.track_id IS NOT NULL AND s.room_id IS NOT NULL AND s.status = 'SCHEDULED'
    AND EXISTS (SELECT 1 FROM session_speaker ss WHERE ss.session_id = s.id) ORDER BY s.id"""

Db: TypeAlias = "asyncpg.Connection[Any]"


fair = own_fair_fixtures.fair
own_db = own_fair_fixtures.own_db
organiser = own_fair_fixtures.organiser


async def talk(db: Db, index: int) -> str:
    found: str = await db.fetchval(f"{TALKS} OFFSET $1 LIMIT 1", index)
    return found


async def one(fair: OwnFair, field: str, selection: str, item_id: str) -> dict[str, Any]:
    query = f"query($id: ID!) {{ {field}(id: $id) {{ {selection} }} }}"
    found: dict[str, Any] = (await fair.gql.data(query, {"id": item_id}))[field]
    return found


async def speakers_of(fair: OwnFair, session_ids: list[str]) -> list[dict[str, Any]]:
    """The sessions' speakers as the paged list gives them (by name, as a patch does)."""
    agenda = await fair.gql.data(AGENDA)
    ids = {p["id"] for s in agenda["sessions"]["nodes"] if s["id"] in session_ids
           for p in s["speakers"]}  # fmt: skip
    return [p for p in agenda["speakers"]["nodes"] if p["id"] in ids]


async def test_without_since_the_answer_is_the_whole_agenda_as_its_lists_give_it(
    fair: OwnFair,
) -> None:
    complete = await changes(fair.gql)
    agenda = await fair.gql.data(AGENDA)
    written = [demo_sessions(), demo_file("exhibitors.json"), demo_file("speakers.json")]
    assert [agenda[kind]["totalCount"] for kind in KINDS] == [len(w) for w in written]
    assert complete == {
        "version": complete["version"],
        "complete": True,
        "venueChanged": True,
        "eventChanged": True,
        **{kind: agenda[kind]["nodes"] for kind in KINDS},
        **{REMOVED[kind]: [] for kind in KINDS},
    }


async def test_when_nothing_changed_the_patch_is_empty_at_the_same_version(
    fair: OwnFair,
) -> None:
    version = (await changes(fair.gql))["version"]
    assert await changes(fair.gql, version) == patch(version)
    assert await changes(fair.gql, version) == patch(version)


async def test_a_moved_session_is_the_whole_patch_with_its_speakers(
    fair: OwnFair, own_db: Db, organiser: Person
) -> None:
    moved = await talk(own_db, 0)
    free_room = await own_db.fetchval(
        """SELECT id FROM room r WHERE id <> (SELECT room_id FROM session WHERE id = $1)
              AND NOT EXISTS (SELECT 1 FROM session s WHERE s.room_id = r.id
                   AND s.starts_at < '2026-12-06T23:00Z' AND s.ends_at > '2026-12-06T20:00Z')
            ORDER BY id LIMIT 1""",
        moved,
    )
    version = (await changes(fair.gql))["version"]
    move = {"roomId": free_room, "startsAt": "2026-12-06T20:00:00+00:00"}
    await fair.gql.data(UPDATE, {"id": moved, "input": move}, as_=organiser)
    answer = await changes(fair.gql, version)
    now = await one(fair, "session", SESSION, moved)
    assert (now["room"]["id"], now["startsAt"]) == (free_room, "2026-12-06T20:00:00+00:00")
    assert answer == patch(
        answer["version"], sessions=[now], speakers=await speakers_of(fair, [moved])
    )
    assert answer["version"] != version
    assert await changes(fair.gql, answer["version"]) == patch(answer["version"])


async def test_a_cancelled_session_comes_back_cancelled_not_removed(
    fair: OwnFair, own_db: Db, organiser: Person
) -> None:
    cancelled = await talk(own_db, 1)
    version = (await changes(fair.gql))["version"]
    await fair.gql.data(CANCEL, {"id": cancelled}, as_=organiser)
    answer = await changes(fair.gql, version)
    now = await one(fair, "session", SESSION, cancelled)
    assert now["status"] == "CANCELLED"
    assert answer == patch(
        answer["version"], sessions=[now], speakers=await speakers_of(fair, [cancelled])
    )


async def test_deleted_rows_come_back_as_removed_ids(fair: OwnFair, own_db: Db) -> None:
    # No mutation deletes; an organiser with psql does, and the triggers see any writer.
    version = (await changes(fair.gql))["version"]
    async with own_db.transaction():
        await own_db.execute(
            "INSERT INTO exhibitor (id, name, country) VALUES ('exh-x', 'X', 'MA')"
        )
        await own_db.execute("INSERT INTO speaker (id, name) VALUES ('spk-x', 'Zed')")
        await own_db.execute(
            """INSERT INTO session (id, kind, title_fr, starts_at, ends_at)
               VALUES ('ses-x', 'PANEL', 'Table ronde', '2026-12-04T18:00Z', '2026-12-04T19:00Z')"""
        )
        await own_db.execute("INSERT INTO session_speaker VALUES ('ses-x', 'spk-x', 0)")
    added = await changes(fair.gql, version)
    assert added == patch(
        added["version"],
        sessions=[await one(fair, "session", SESSION, "ses-x")],
        exhibitors=[await one(fair, "exhibitor", EXHIBITOR, "exh-x")],
        speakers=[await one(fair, "speaker", SPEAKER, "spk-x")],
    )
    async with own_db.transaction():
        await own_db.execute("DELETE FROM session WHERE id = 'ses-x'")
        await own_db.execute("DELETE FROM speaker WHERE id = 'spk-x'")
        await own_db.execute("DELETE FROM exhibitor WHERE id = 'exh-x'")
    removed = await changes(fair.gql, added["version"])
    assert removed == patch(
        removed["version"],
        removedSessionIds=["ses-x"],
        removedExhibitorIds=["exh-x"],
        removedSpeakerIds=["spk-x"],
    )
    complete = await changes(fair.gql)
    assert {i["id"] for kind in KINDS for i in complete[kind]} & {
        "ses-x",
        "spk-x",
        "exh-x",
    } == set()


def listed(field: str, filter_: str, id_type: str, selection: str) -> str:
    return (
        f"query($id: {id_type}) {{ {field}(first: 200, filter: {{{filter_}}}) "
        f"{{ nodes {{ {selection} }} }} }}"
    )


#: A rename, and the list giving what shows the name: (SQL, which, list, venue, event).
RENAMES = {
    "room": (
        "UPDATE room SET name = name || ' (B)' WHERE id = $1",
        "SELECT min(room_id) FROM session",
        listed("sessions", "roomId: $id", "ID!", SESSION),
        True,
        False,
    ),
    "track": (
        "UPDATE track SET name_fr = name_fr || ' (B)' WHERE id = $1",
        "SELECT min(track_id) FROM session",
        listed("sessions", "trackIds: [$id]", "ID!", SESSION),
        False,
        True,
    ),
    "sector": (
        "UPDATE sector SET name_fr = name_fr || ' (B)' WHERE id = $1",
        "SELECT min(id) FROM sector",
        listed("exhibitors", "sectors: [$id]", "String!", EXHIBITOR),
        False,
        False,
    ),
}


@pytest.mark.parametrize("renamed", sorted(RENAMES))
async def test_a_rename_patches_what_shows_the_name(
    fair: OwnFair, own_db: Db, renamed: str
) -> None:
    rename, pick, shown_in, venue, event = RENAMES[renamed]
    place = await own_db.fetchval(pick)
    version = (await changes(fair.gql))["version"]
    await own_db.execute(rename, place)
    answer = await changes(fair.gql, version)
    [(kind, listed)] = (await fair.gql.data(shown_in, {"id": place})).items()
    assert listed["nodes"]
    assert answer == patch(
        answer["version"], **{kind: listed["nodes"]}, venueChanged=venue, eventChanged=event
    )


def hall_of(place: dict[str, Any] | None) -> str | None:
    hall = (place or {}).get("hall")
    return None if hall is None else str(hall["id"])


async def test_renaming_a_hall_patches_sessions_in_its_rooms_and_at_its_booths(
    fair: OwnFair, own_db: Db
) -> None:
    hall = await own_db.fetchval(
        "SELECT min(b.hall_id) FROM session s JOIN booth b ON b.id = s.booth_id"
    )
    version = (await changes(fair.gql))["version"]
    await own_db.execute("UPDATE hall SET name = name || ' (B)' WHERE id = $1", hall)
    answer = await changes(fair.gql, version)
    agenda = await fair.gql.data(
        f"""query($hall: ID!) {{
              sessions(first: 200) {{ nodes {{ {SESSION} booth {{ hall {{ id }} }} }} }}
              exhibitors(first: 200, filter: {{hallId: $hall}}) {{ nodes {{ {EXHIBITOR} }} }} }}""",
        {"hall": hall},
    )
    shown = [
        s for s in agenda["sessions"]["nodes"] if hall in (hall_of(s["room"]), hall_of(s["booth"]))
    ]
    sessions = [{k: v for k, v in s.items() if k != "booth"} for s in shown]
    assert answer == patch(
        answer["version"],
        sessions=sessions,
        exhibitors=agenda["exhibitors"]["nodes"],
        venueChanged=True,
    )


async def test_versions_not_of_this_database_or_too_far_off_give_a_complete_answer(
    fair: OwnFair, service_urls: ServiceUrls
) -> None:
    name = "salon_copy_other"
    other = await connect(await ensure_database(service_urls, name))
    try:
        await migrate(other)
        foreign = (await agenda_changes.changes_since(other, None)).version
    finally:
        await other.close()
        await drop_database(service_urls, name)
    complete = await changes(fair.gql)
    origin, number = complete["version"].split(".")
    twin = origin[:-1] + ("1" if origin[-1] == "0" else "0")
    unknown = [foreign, f"{twin}.{number}", f"{origin}.{int(number) + 1}", "hello", "v2:a.1",
               f"{origin}.99999999999999999999", f"{origin}.-1", f"{origin}.", "0.0"]  # fmt: skip
    for since in unknown:
        assert await changes(fair.gql, since) == complete, since


async def test_a_version_from_before_pruned_removals_gets_a_complete_answer(
    fair: OwnFair, own_db: Db
) -> None:
    await own_db.execute(
        """INSERT INTO session (id, kind, title_fr, starts_at, ends_at)
           VALUES ('ses-y', 'PANEL', 'Éphémère', '2026-12-04T18:00Z', '2026-12-04T19:00Z')"""
    )
    before = (await changes(fair.gql))["version"]
    await own_db.execute("DELETE FROM session WHERE id = 'ses-y'")
    after = (await changes(fair.gql))["version"]
    assert await changes(fair.gql, before) == patch(after, removedSessionIds=["ses-y"])
    pool = await create_pool(fair.dsn, min_size=1, max_size=1)
    try:
        assert await agenda_changes.prune_tombstones(pool, 0) >= 1
    finally:
        await pool.close()
    complete = await changes(fair.gql)
    assert await changes(fair.gql, before) == complete
    # Pruning moves the version on (cached answers go), with nothing else to patch.
    assert await changes(fair.gql, after) == patch(complete["version"])


async def test_a_truncated_table_replaces_every_older_copy(service_urls: ServiceUrls) -> None:
    name = "salon_copy_truncated"
    conn = await connect(await ensure_database(service_urls, name))
    try:
        await migrate(conn)
        await conn.execute("INSERT INTO speaker (id, name) VALUES ('spk-t', 'T')")
        version = (await agenda_changes.changes_since(conn, None)).version
        await conn.execute("TRUNCATE speaker CASCADE")
        assert (await agenda_changes.changes_since(conn, version)).complete is True
    finally:
        await conn.close()
        await drop_database(service_urls, name)


async def agenda_state(db: Db) -> tuple[Any, ...]:
    row = await db.fetchrow(
        """SELECT s.*, (SELECT count(*) FROM agenda_change) AS changes,
                  (SELECT max(version) FROM agenda_change) AS newest FROM agenda_state s"""
    )
    return tuple(row.values())


@pytest.mark.parametrize(
    ("document", "since"),
    [(CHANGES, s) for s in ("", " ", "x" * 65, "a\x00b", "abc def", "é.1", "a.1\n", 5, ["a"])]
    + [("{ agendaChanges(since: 5) { version } }", None)],
)
async def test_what_cannot_be_a_version_is_bad_user_input_and_changes_nothing(
    fair: OwnFair, own_db: Db, document: str, since: object
) -> None:
    before = await agenda_state(own_db)
    body = await fair.gql(document, {"since": since})
    assert (body["data"], [e["extensions"]["code"] for e in body["errors"]]) == (
        None,
        ["BAD_USER_INPUT"],
    )
    assert await agenda_state(own_db) == before


async def test_the_gql_client_keeps_an_offline_copy_fresh(
    fair: OwnFair, own_db: Db, organiser: Person
) -> None:
    renamed = await talk(own_db, 2)
    copy = OfflineCopy()
    document = gql(CHANGES)
    transport = HTTPXAsyncTransport(url=fair.live.graphql_url)
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:

        async def refresh() -> dict[str, Any]:
            document.variable_values = {"since": copy.version}
            answer: dict[str, Any] = (await session.execute(document))["agendaChanges"]
            copy.apply(answer)
            return answer

        assert (await refresh())["complete"] is True
        title = {"title": "Maintenance prédictive, deuxième édition"}
        await fair.gql.data(UPDATE, {"id": renamed, "input": title}, as_=organiser)
        patched = await refresh()
        assert (patched["complete"], [s["id"] for s in patched["sessions"]]) == (False, [renamed])
        assert copy.items["sessions"][renamed]["title"] == title["title"]
        document.variable_values = {"since": None}
        assert copy.items == as_copy((await session.execute(document))["agendaChanges"])
