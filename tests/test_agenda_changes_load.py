"""`agendaChanges` under load: writers racing the polls lose no change, a patch costs
the same statements for one or three sessions, and a big fair is one request."""

from __future__ import annotations

import asyncio
from typing import Any, TypeAlias

import asyncpg
from graphql import OperationDefinitionNode, parse

from schema.app import schema
from schema.cost import OperationCost
from schema.strawberry_seam import graphql_schema
from server.db.migrate import migrate
from server.db.pool import connect
from server.services import ServiceUrls, drop_database, ensure_database
from server.settings import Settings
from tests import own_fair_fixtures
from tests.conftest import Person
from tests.offline_copy import (
    APP_SYNC,
    CHANGES,
    KINDS,
    OfflineCopy,
    OwnFair,
    app_on,
    as_copy,
    changes,
    patch,
    statements,
)

Db: TypeAlias = "asyncpg.Connection[Any]"

RETITLE = """mutation($id: ID!, $title: String!) {
  updateSession(id: $id, input: {title: $title}) { id } }"""
TALKS = """SELECT s.id FROM session s WHERE s.kind <> 'DEMO' AND s.exhibitor_id IS NULL
    AND s.track_id IS NOT NULL AND s.room_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM session_speaker ss WHERE ss.session_id = s.id)
  ORDER BY s.id LIMIT $1"""


fair = own_fair_fixtures.fair
own_db = own_fair_fixtures.own_db
organiser = own_fair_fixtures.organiser


async def talks(db: Db, count: int) -> list[str]:
    return [r["id"] for r in await db.fetch(TALKS, count)]


async def test_a_change_committed_after_a_poll_is_in_the_next_patch(
    fair: OwnFair, own_db: Db, organiser: Person
) -> None:
    first, second = await talks(own_db, 2)
    copy = OfflineCopy()
    await copy.refresh(fair.gql)
    async with own_db.transaction():
        await own_db.execute(
            "UPDATE session SET title_fr = 'Validé plus tard' WHERE id = $1", first
        )
        # Stamped, not committed: this transaction holds agenda_state until it commits,
        # so the poll sees neither the change nor a version that would skip it.
        assert await copy.refresh(fair.gql) == patch(copy.version or "")
        # Another writer now waits for the lock (the row lock orders agenda writers).
        waiting = asyncio.create_task(
            fair.gql.data(RETITLE, {"id": second, "title": "Validé ensuite"}, as_=organiser)
        )
    await waiting
    after = await copy.refresh(fair.gql)
    assert sorted(s["id"] for s in after["sessions"]) == sorted([first, second])
    assert copy.items == as_copy(await changes(fair.gql))


async def test_concurrent_writers_lose_no_change_between_two_polls(
    fair: OwnFair, own_db: Db, organiser: Person
) -> None:
    retitled = await talks(own_db, 6)
    copy = OfflineCopy()
    await copy.refresh(fair.gql)

    async def writer(session_id: str) -> None:
        for round_ in range(3):
            title = f"{session_id}, version {round_}"
            await fair.gql.data(RETITLE, {"id": session_id, "title": title}, as_=organiser)

    async def direct_writer(round_: int) -> None:
        # Beside the app, a writer of its own (psql, an import) renaming a room.
        conn = await connect(fair.dsn)
        try:
            await conn.execute(
                "UPDATE room SET name = $1 WHERE id = (SELECT min(id) FROM room)", f"R{round_}"
            )
        finally:
            await conn.close()

    writers = asyncio.gather(*(writer(s) for s in retitled), *(direct_writer(r) for r in (1, 2)))
    polls = 0
    while not writers.done():
        await copy.refresh(fair.gql)
        polls += 1
    await writers
    await copy.refresh(fair.gql)
    assert polls >= 1
    assert copy.items == as_copy(await changes(fair.gql))
    titles = {s: copy.items["sessions"][s]["title"] for s in retitled}
    assert titles == {s: f"{s}, version 2" for s in retitled}


async def test_a_patch_of_one_or_three_sessions_costs_the_same_statements(
    fair: OwnFair, own_db: Db
) -> None:
    three = await talks(own_db, 3)
    retitle = "UPDATE session SET title_fr = title_fr || ' ·' WHERE id = any($1::text[])"
    counts = []
    for changed in (three[:1], three):
        version = (await changes(fair.gql))["version"]
        await own_db.execute(retitle, changed)
        answer = await changes(fair.gql, version)
        assert sorted(s["id"] for s in answer["sessions"]) == changed
        counts.append(await statements(fair, version))
    # agenda version (cache key), changes, sessions, speakers; tracks, rooms, halls,
    # speaker links, the sessions' speakers
    assert counts == [9, 9]
    # and the whole agenda: also exhibitors, their booths and the booths' halls (which
    # the halls' loader may fetch with the rooms' halls, in one batch)
    assert await statements(fair, None) <= 12


def cost_of(query: str) -> int:
    document = parse(query)
    [operation] = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    return OperationCost(graphql_schema(schema)).of(document, operation)


def test_the_whole_agenda_is_within_the_cost_limit(settings: Settings) -> None:
    # 1,500 sessions × 25 + 400 exhibitors × 18 + 600 speakers × 5, and 8 fields
    assert cost_of(CHANGES) == 1_500 * 25 + 400 * 18 + 600 * 5 + 8 == 47_708
    # the app's: 1,500 × 47 + 400 × 28 + 600 × 7, 7 fields, the event with its tracks
    app = cost_of(APP_SYNC)
    assert app == 1_500 * 47 + 400 * 28 + 600 * 7 + 7 + 108 == 86_015
    assert app < settings.max_query_cost


async def test_the_apps_sync_document_gets_the_whole_agenda_in_one_request(
    fair: OwnFair,
) -> None:
    data = await fair.gql.data(APP_SYNC)
    complete, event = data["agendaChanges"], data["event"]
    lean = await changes(fair.gql)
    assert complete["complete"] is True
    assert [[i["id"] for i in complete[k]] for k in KINDS] == [
        [i["id"] for i in lean[k]] for k in KINDS
    ]
    assert (event["id"], len(event["tracks"])) == ("sistep-2026", 7)


async def test_a_cycle_under_the_whole_agenda_is_refused_with_its_cost(fair: OwnFair) -> None:
    body = await fair.gql(
        "{ agendaChanges { sessions { speakers { sessions { speakers { id } } } } } }"
    )
    [error] = body["errors"]
    # 1 + 1,500 sessions × (1 + 3 speakers × (1 + 20 sessions × (1 + 10 speakers × 2)))
    assert (body["data"], error["extensions"]) == (
        None,
        {"code": "BAD_USER_INPUT", "cost": 1_896_001, "maxCost": 100_000},
    )


async def test_a_big_fair_is_one_request_within_the_cost_limit(
    settings: Settings, service_urls: ServiceUrls
) -> None:
    name = "salon_copy_big"
    dsn = await ensure_database(service_urls, name)
    try:
        conn = await connect(dsn)
        try:
            await migrate(conn)
            await big_fair(conn, sessions=1500, exhibitors=400, speakers=600)
        finally:
            await conn.close()
        async with app_on(settings, dsn) as big:
            complete = await changes(big.gql)
            assert [len(complete[kind]) for kind in KINDS] == [1500, 400, 600]
            assert {len(s["speakers"]) for s in complete["sessions"]} == {2}
            assert await statements(big, None) <= 12
    finally:
        await drop_database(service_urls, name)


async def big_fair(db: Db, *, sessions: int, exhibitors: int, speakers: int) -> None:
    """A fair of that size: four halls of ten rooms, a booth per exhibitor, two speakers
    per session, forty sessions in parallel every half hour."""
    square = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}'
    async with db.transaction():
        await db.execute(
            """INSERT INTO event VALUES ('big', 'Grand salon', NULL, 1, '2026-12-03',
                   '2026-12-06', 'Africa/Casablanca', 'OFEC', 'Casablanca', NULL)"""
        )
        await db.execute(
            """INSERT INTO hall (id, name, outline)
               SELECT 'h' || i, 'Hall ' || i, $1::jsonb FROM generate_series(1, 4) i""",
            square,
        )
        await db.execute(
            """INSERT INTO room (id, name, hall_id, capacity)
               SELECT 'r' || i, 'Salle ' || i, 'h' || (i % 4 + 1), 80
                 FROM generate_series(1, 40) i"""
        )
        await db.execute(
            """INSERT INTO track (id, name_fr, position)
               SELECT 't' || i, 'Thème ' || i, i FROM generate_series(1, 10) i"""
        )
        await db.execute(
            """INSERT INTO speaker (id, name, organisation, job_title)
               SELECT 'p' || i, 'Intervenant ' || i, 'Société ' || i, 'Ingénieure'
                 FROM generate_series(1, $1::int) i""",
            speakers,
        )
        await db.execute(
            """INSERT INTO exhibitor (id, name, country, sectors, website)
               SELECT 'e' || i, 'Exposant ' || i, 'MA', '{}', 'https://e' || i || '.example'
                 FROM generate_series(1, $1::int) i""",
            exhibitors,
        )
        await db.execute(
            """INSERT INTO booth (id, code, hall_id, exhibitor_id, outline, x, y)
               SELECT 'b' || i, 'B' || i, 'h' || (i % 4 + 1), 'e' || i, $2::jsonb, i, i
                 FROM generate_series(1, $1::int) i""",
            exhibitors,
            square,
        )
        await db.execute(
            """INSERT INTO session (id, kind, track_id, title_fr, starts_at, ends_at, room_id)
               SELECT 's' || i, 'CONFERENCE', 't' || (i % 10 + 1), 'Conférence ' || i,
                      '2026-12-03T08:00Z'::timestamptz + (i / 40) * interval '30 minutes',
                      '2026-12-03T08:25Z'::timestamptz + (i / 40) * interval '30 minutes',
                      'r' || (i % 40 + 1)
                 FROM generate_series(1, $1::int) i""",
            sessions,
        )
        await db.execute(
            """INSERT INTO session_speaker (session_id, speaker_id, position)
               SELECT 's' || i, 'p' || ((i + k * 300) % $2::int + 1), k
                 FROM generate_series(1, $1::int) i, generate_series(0, 1) k""",
            sessions,
            speakers,
        )
