"""The response cache shares only what every selected field declares public.

A field is private until declared (schema/visibility.py): these tests walk the whole
schema for declarations, and show that sign-in-only and organiser-only answers never
come out of the shared cache, by the scope logic and over HTTP.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import asyncpg
import strawberry
from graphql import GraphQLObjectType, parse
from strawberry.types import get_object_definition
from strawberry.types.field import StrawberryField

import schema as schema_package
from schema import visibility
from schema.app import schema as app_schema
from schema.response_cache import ResponseCache, Scope, reads_viewer_fields
from schema.types.accounts import calendar_url
from schema.visibility import PUBLIC, VIEWER, Visibility
from server.settings import Settings
from tests.conftest import GraphQLClient, LiveServer, People, Person

GRAPHQL = app_schema._schema


def cache_of(live: LiveServer) -> ResponseCache:
    cache: ResponseCache = live.app.state.graphql_view.cache
    return cache


def test_every_field_of_the_schema_is_declared() -> None:
    query = GRAPHQL.type_map["Query"]
    assert isinstance(query, GraphQLObjectType)
    assert visibility.declared(query.fields["event"]) is Visibility.PUBLIC, (
        "Strawberry no longer links a GraphQLField to its StrawberryField: "
        "see schema.visibility.definition"
    )
    missing = visibility.undeclared(GRAPHQL)
    assert missing == [], (
        "Say what these fields depend on, next to each one, with "
        "strawberry.field(metadata=PUBLIC | VIEWER | VOLATILE) (schema/visibility.py):\n"
        + "\n".join(f"  {type_name}.{field_name}" for type_name, field_name in missing)
    )


def strawberry_types() -> list[type]:
    """Every Strawberry type or input defined under schema/."""
    found = []
    for module_info in pkgutil.walk_packages(schema_package.__path__, "schema."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and get_object_definition(value) is not None
            ):
                found.append(value)
    return found


def test_every_declaration_is_on_a_field_the_cache_looks_at() -> None:
    """No stale or idle declaration: each sits on a field of an output type of the schema
    (not on an input, a type left out of the schema, or a Mutation/Subscription root)."""
    skip = visibility.exempt_roots(GRAPHQL)
    looked_at = {
        id(visibility.definition(field))
        for named in GRAPHQL.type_map.values()
        if isinstance(named, GraphQLObjectType) and named.name not in skip
        for field in named.fields.values()
    }
    types = strawberry_types()
    assert {t.__name__ for t in types} >= {"Query", "Mutation", "Session", "SessionFilter"}
    idle = [
        f"{t.__module__}.{t.__name__}.{field.python_name}"
        for t in types
        for field in get_object_definition(t, strict=True).fields
        if isinstance(field, StrawberryField)
        and visibility.KEY in field.metadata
        and id(field) not in looked_at
    ]
    assert idle == [], f"declarations the cache never reads: {idle}"


def test_todays_private_fields_keep_their_class() -> None:
    """Every field that is not PUBLIC, as the deny-list had them; and what describes the
    signed-in person is VIEWER throughout, whatever path may reach it one day."""
    personal = ["Me", "Schedule", "ScheduleConflict", "MeetingConflict", "Registration"]
    personal += ["AuthPayload"]
    expected = {
        ("Query", "me"): Visibility.VIEWER,
        ("Session", "viewerHasBookmarked"): Visibility.VIEWER,
        ("Session", "viewerRegistration"): Visibility.VIEWER,
        ("Exhibitor", "viewerFollows"): Visibility.VIEWER,
        ("Query", "notices"): Visibility.VOLATILE,
        ("Session", "seatsLeft"): Visibility.VOLATILE,
    }
    for type_name in personal:
        named = GRAPHQL.type_map[type_name]
        assert isinstance(named, GraphQLObjectType)
        expected.update({(type_name, f): Visibility.VIEWER for f in named.fields})
    # B2B meetings: other people's profiles and meetings, and the plan, change with
    # neither version. A notice's meeting is its two sides' only.
    meetings = ["BusinessProfile", "BusinessProfileConnection", "Meeting", "MeetingConnection"]
    meetings += ["MeetingTable", "MeetingPlan", "MeetingDay", "Slot", "MeetingMatch"]
    meetings += ["TableOccupancy"]
    for type_name in meetings:
        named = GRAPHQL.type_map[type_name]
        assert isinstance(named, GraphQLObjectType)
        expected.update({(type_name, f): Visibility.VOLATILE for f in named.fields})
    for field in ("meetingPlan", "businessProfiles", "businessProfile", "meetings"):
        expected[("Query", field)] = Visibility.VOLATILE
    for field in ("tableOccupancy",):
        expected[("Query", field)] = Visibility.VOLATILE
    expected[("Notice", "meeting")] = Visibility.VIEWER
    # Leads change when any of a stand's staff scans a badge: never cached.
    leads = {"Lead": ["id", "name", "email", "company", "note", "capturedAt"]}
    leads |= {"LeadCapture": ["exhibitor", "capturedAt"]}
    expected.update({(t, f): Visibility.VOLATILE for t, fs in leads.items() for f in fs})
    declarations = visibility.table(GRAPHQL)
    assert {k: v for k, v in declarations.items() if v is not Visibility.PUBLIC} == expected


def test_introspection_is_public_and_unknown_fields_are_not() -> None:
    cache = ResponseCache(GRAPHQL, max_entries=10, max_bytes=10_000)
    assert [
        cache.scope(query, None)
        for query in [
            "{ __typename }",
            "{ __schema { queryType { name } types { name fields { name } } } }",
            '{ __type(name: "Session") { name } }',
            "{ sessions { nodes { __typename id } } }",
            "{ sessions { nodes { id nosuchField } } }",
            "{ ...F } fragment F on NoSuchType { id }",
        ]
    ] == [Scope.EVERYONE, Scope.EVERYONE, Scope.EVERYONE, Scope.EVERYONE, None, None]


def test_live_notices_are_rendered_per_viewer_only_for_viewer_fields() -> None:
    def per_viewer(query: str) -> bool:
        return reads_viewer_fields(GRAPHQL, parse(query), None)

    assert [
        per_viewer("subscription { notices { id title session { title } } }"),
        per_viewer("subscription { notices { session { seatsLeft } } }"),
        per_viewer("subscription { notices { session { viewerHasBookmarked } } }"),
        per_viewer("subscription { notices { exhibitor { viewerFollows } } }"),
        per_viewer("subscription { notices { session { nosuchField } } }"),
        per_viewer("subscription { notices { session { seatsLeft } meeting { id } } }"),
    ] == [False, False, True, True, True, True]


# A schema of the test's own, with what the product does not have yet: a list of
# registrants only organisers may read, and a field nobody has declared.


@strawberry.type
class Registrant:
    email: str  # undeclared


@strawberry.interface
class Listing:
    title: str = strawberry.field(metadata=PUBLIC)


@strawberry.type
class Stand(Listing):
    leads: int  # undeclared: the stand's own visitors


@strawberry.type
class Workshop(Listing):
    title: str = strawberry.field(metadata=VIEWER)  # say, a personalised title


@strawberry.type
class Talk:
    title: str = strawberry.field(metadata=PUBLIC)

    @strawberry.field  # organisers only; nobody said it may be shared
    def registrants(self) -> list[Registrant]:
        return []


@strawberry.type
class TinyQuery:
    @strawberry.field(metadata=PUBLIC)
    def talk(self) -> Talk:
        return Talk(title="Keynote")

    @strawberry.field  # organisers only, undeclared
    def registrants(self) -> list[Registrant]:
        return []

    @strawberry.field(metadata=PUBLIC)
    def stands(self) -> list[Stand]:
        return []

    @strawberry.field(metadata=PUBLIC)
    def listings(self) -> list[Listing]:
        return []


TINY = strawberry.Schema(query=TinyQuery, types=[Stand, Workshop])._schema


def test_the_walk_names_every_undeclared_field() -> None:
    assert visibility.undeclared(TINY) == [
        ("Registrant", "email"),
        ("Stand", "leads"),
        ("Talk", "registrants"),
        ("TinyQuery", "registrants"),
    ]


def test_an_undeclared_organiser_only_field_is_never_shared() -> None:
    cache = ResponseCache(TINY, max_entries=10, max_bytes=10_000)
    assert [
        cache.scope(query, operation_name)
        for query, operation_name in [
            ("{ talk { title } }", None),
            ("{ registrants { email } }", None),
            ("{ talk { title registrants { email } } }", None),
            ("{ t: talk { ...R } } fragment R on Talk { registrants { __typename } }", None),
            ("{ talk { ... on Talk { registrants { email } } } }", None),
            ("query A { talk { title } } query B { registrants { email } }", "A"),
            ("query A { talk { title } } query B { registrants { email } }", "B"),
            ("{ stands { title } }", None),
            ("{ stands { title leads } }", None),
            ("{ listings { ... on Stand { leads } } }", None),
            # an interface field is as private as its most private implementation
            ("{ listings { title } }", None),
        ]
    ] == [
        Scope.EVERYONE,
        None,
        None,
        None,
        None,
        Scope.EVERYONE,
        None,
        Scope.EVERYONE,
        None,
        None,
        Scope.VIEWER,
    ]


# Through the real server: a signed-in answer, cached for its viewer, never reaches
# anybody else, whichever order they ask in.

ME = "{ me { id email roles } }"


async def test_sign_in_only_answers_never_reach_anonymous_or_other_people(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    settings: Settings,
) -> None:
    organiser, attendee = await people.make("ORGANISER"), await people.make()
    counter = live.runtime.statements
    assert counter is not None

    def me_of(person: Person, roles: list[str]) -> dict[str, Any]:
        return {"me": {"id": str(person.id), "email": person.email, "roles": roles}}

    assert await gql_http.data(ME, as_=organiser) == me_of(organiser, ["ORGANISER"])
    before = counter.count
    assert await gql_http.data(ME, as_=organiser) == me_of(organiser, ["ORGANISER"])
    assert counter.count - before == 2  # the token and the agenda version: from cache
    assert await gql_http.data(ME) == {"me": None}
    assert await gql_http.data(ME, as_=attendee) == me_of(attendee, ["ATTENDEE"])
    assert await gql_http.data(ME) == {"me": None}

    # anonymous first: the signed-in caller does not get the anonymous answer either
    query = "{ me { calendarUrl } event { id } }"
    token = await db.fetchval("SELECT calendar_token FROM person WHERE id = $1", attendee.id)
    theirs = {"me": {"calendarUrl": calendar_url(settings.public_url, token)}}
    for _ in range(2):  # the second round from cache
        assert await gql_http.data(query) == {"me": None, "event": {"id": "sistep-2026"}}
        assert await gql_http.data(query, as_=attendee) == {
            **theirs,
            "event": {"id": "sistep-2026"},
        }


async def test_viewer_fields_on_public_objects_are_never_shared(
    live: LiveServer, gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    alice, bob = await people.make(), await people.make()
    session_id = await db.fetchval("SELECT id FROM session ORDER BY id LIMIT 1")
    exhibitor_id = await db.fetchval("SELECT id FROM exhibitor ORDER BY id LIMIT 1")
    await gql_http.data(
        "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }", {"s": session_id}, as_=alice
    )
    await gql_http.data(
        "mutation($e: ID!) { followExhibitor(exhibitorId: $e) { id } }",
        {"e": exhibitor_id},
        as_=alice,
    )
    query = """query($s: ID!, $e: ID!) {
        session(id: $s) { id viewerHasBookmarked }
        exhibitor(id: $e) { id viewerFollows }
    }"""
    variables = {"s": session_id, "e": exhibitor_id}

    def answer(mine: bool) -> dict[str, Any]:
        return {
            "session": {"id": session_id, "viewerHasBookmarked": mine},
            "exhibitor": {"id": exhibitor_id, "viewerFollows": mine},
        }

    assert cache_of(live).scope(query, None) is Scope.VIEWER
    for _ in range(2):  # the second round from cache
        assert await gql_http.data(query, variables, as_=alice) == answer(True)
        assert await gql_http.data(query, variables) == answer(False)
        assert await gql_http.data(query, variables, as_=bob) == answer(False)
