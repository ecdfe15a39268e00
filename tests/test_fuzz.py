"""Fuzz the GraphQL API: no generated query or mutation may get a 5xx or an
INTERNAL_SERVER_ERROR.

schemathesis (its GraphQL support; hypothesis-graphql underneath) generates documents
for every field of `Query` and `Mutation` from the committed SDL, `schema/schema.graphql`
(a test fails when that drifts from the code; subscriptions, over WebSocket, are not
fuzzed here). Each document goes over real HTTP to the real app under uvicorn, once as an
anonymous caller and once signed in as an ORGANISER, so mutations get past authorisation
into validation and the database; as a POST with its values inline, as a POST with them
in `variables` (variable coercion is another code path), or as a GET (the cacheable path;
mutations must be refused there). Anything may be refused (BAD_USER_INPUT, NOT_FOUND,
FORBIDDEN, RATE_LIMITED, …): a refusal is the point. What fails the test is a status of
500 or more, an error whose `extensions.code` is INTERNAL_SERVER_ERROR (a masked bug), or
an error with no code at all; the assertion message has the document and its variables.

Three documents in four are valid (schemathesis' positive mode), one in four is one the
schema must refuse (negative mode: wrong types, missing arguments). Values come partly
from the demo fair, by argument (schemathesis dictionaries: real session, exhibitor,
booth, room ids, badge codes, e-mails), so that mutations reach real rows; the rest is
random, with instants near the fair's days, cursors that decode, and NULs.

What the fuzzer changes stays its own: it runs against a database of its own (a fresh
copy of the demo fair, dropped afterwards), its own Redis namespace (its sign-in
attempts spend no other test's quota) and no SMTP server, so no other test sees it.

Bounded and repeatable: `EXAMPLES` documents per operation and viewer, derandomized
(the same documents on every run of a commit), within a total time budget of
`BUDGET_SECONDS`, after which each remaining operation gets what is left and a warning
says which runs were cut short. To fuzz longer locally, with other documents than CI's:

    SALON_FUZZ_EXAMPLES=2000 SALON_FUZZ_SECONDS=3600 SALON_FUZZ_SEED=7 \
        .venv/bin/pytest tests/test_fuzz.py

(`SALON_FUZZ_EXAMPLES` documents per operation and viewer, `SALON_FUZZ_SECONDS` in all,
`SALON_FUZZ_SEED` any integer instead of the fixed derandomized draw).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import warnings
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import graphql
import pytest
import requests
import schemathesis
import schemathesis.graphql
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes

from server.domain.pagination import encode_cursor
from server.services import ServiceUrls
from server.settings import Settings
from tests.conftest import People, Person, start_server, stop_server
from tests.own_services import fair_database

ROOT = Path(__file__).resolve().parent.parent
SDL = ROOT / "schema" / "schema.graphql"
DEMO = ROOT / "server" / "demo" / "sistep2026"

#: Documents per (operation, viewer) in CI: 28 operations × 2 viewers × 25 = 1,400
#: requests, about 35 s on this machine (2 shared cores), with the server's start.
EXAMPLES = int(os.environ.get("SALON_FUZZ_EXAMPLES", "25"))
#: Seconds the whole fuzz run may spend sending (each run gets an even share of what is
#: left), so that it stays under a minute in `make test` even on a slower machine.
BUDGET_SECONDS = float(os.environ.get("SALON_FUZZ_SECONDS", "50"))
SEED = os.environ.get("SALON_FUZZ_SEED")

N = TypeVar("N", bound=graphql.Node)
INTERNAL = "INTERNAL_SERVER_ERROR"
#: Their own refusal of a wrong code or badge is UNAUTHENTICATED, whoever asks.
SIGN_IN = {"Mutation.signIn", "Mutation.signInWithBadge"}


# --- what to draw values from -------------------------------------------------------


def _load(name: str) -> Any:
    return json.loads((DEMO / f"{name}.json").read_text())


def _ids(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(row["id"] for row in rows)


VENUE = _load("venue")
PEOPLE = _load("people")
EXHIBITORS = _load("exhibitors")
#: What the demo fair has, by kind: schemathesis dictionaries, so that an argument that
#: names a session gets a real session id most of the time (the rest stays random).
DICTIONARIES: dict[str, list[str]] = {
    "sessions": _ids(_load("sessions")),
    "exhibitors": _ids(EXHIBITORS),
    "speakers": _ids(_load("speakers")),
    "tracks": _ids(_load("tracks")),
    "halls": _ids(VENUE["halls"]),
    "rooms": _ids(VENUE["rooms"]),
    "booths": _ids(VENUE["booths"]),
    "places": _ids(VENUE["booths"] + VENUE["rooms"] + VENUE["pois"]),
    "sectors": _ids(_load("sectors")),
    "countries": sorted({row["country"] for row in EXHIBITORS}),
    "emails": sorted(row["email"] for row in PEOPLE),
    "badges": sorted(row["badge_code"] for row in PEOPLE if row.get("badge_code")),
    "pending": [f"pending-{n}" for n in range(1, 20)],
}
#: `<Type>.<field>.<argument path>` → dictionary (schemathesis' GraphQL bindings).
BINDINGS = {
    "*.*.sessionId": "sessions",
    "Query.session.id": "sessions",
    "Mutation.updateSession.id": "sessions",
    "Mutation.cancelSession.id": "sessions",
    "Mutation.broadcastAnnouncement.input.audience.sessionIds[*]": "sessions",
    "*.*.exhibitorId": "exhibitors",
    "Query.exhibitor.id": "exhibitors",
    "Query.sessions.filter.exhibitorId": "exhibitors",
    "Mutation.scheduleDemo.input.exhibitorId": "exhibitors",
    "Mutation.broadcastAnnouncement.input.audience.exhibitorIds[*]": "exhibitors",
    "Query.speaker.id": "speakers",
    "Query.sessions.filter.speakerId": "speakers",
    "Query.sessions.filter.trackIds[*]": "tracks",
    "Query.sessions.filter.roomId": "rooms",
    "Mutation.updateSession.input.roomId": "rooms",
    "Mutation.scheduleDemo.input.boothId": "booths",
    "Query.route.fromId": "places",
    "Query.route.toId": "places",
    "Query.exhibitors.filter.hallId": "halls",
    "Query.exhibitors.filter.sectors[*]": "sectors",
    "Query.exhibitors.filter.countries[*]": "countries",
    "*.*.email": "emails",
    "Mutation.signInWithBadge.badgeCode": "badges",
    "Mutation.withdrawAnnouncement.id": "pending",
}
CONFIG = SchemathesisConfig.from_dict(
    {
        "dictionaries": {name: {"values": values} for name, values in DICTIONARIES.items()},
        "parameters": {
            key: {"dictionary": name, "probability": 0.7} for key, name in BINDINGS.items()
        },
    }
)

FAIR_DAYS = [datetime(2026, 12, day, tzinfo=UTC) for day in (3, 4, 5, 6)]
#: Text a careless server chokes on, tried more often than chance would.
NASTY = ["", " ", "\x00", "a\x00b", "\ufeff", "\u202e", "\U0001d538", "%", "_", "\\", "' OR 1=1 --"]
text = st.text() | st.sampled_from(NASTY)
#: Instants near the fair (where scheduling is accepted), with any offset or none; now and
#: then anything else a client might send.
fair_instants = st.builds(
    lambda day, minutes, offset: (day + timedelta(minutes=minutes)).astimezone(offset),
    st.sampled_from(FAIR_DAYS),
    st.integers(min_value=-10 * 24 * 60, max_value=10 * 24 * 60),
    st.integers(min_value=-14 * 60, max_value=14 * 60).map(
        lambda m: timezone(timedelta(minutes=m))
    ),
)
instants = st.one_of(
    fair_instants.map(lambda d: d.isoformat()),
    fair_instants.map(lambda d: d.replace(tzinfo=None).isoformat(timespec="minutes")),
    fair_instants.map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    text,
)
dates = st.one_of(
    st.sampled_from(FAIR_DAYS).map(lambda d: d.date().isoformat()), st.dates().map(str), text
)
#: Numeric ids (people, notices), in and out of a bigint, and anything at all.
identifiers = st.one_of(st.integers(min_value=-1, max_value=2**64).map(str), text)
#: Strings shaped like the lists' cursors (base64 of a JSON pair) with any content, so
#: that `after` gets past decoding into the queries.
json_text = st.text(st.characters(codec="utf-8")) | st.sampled_from(NASTY)
cursors = st.tuples(json_text, json_text).map(lambda pair: encode_cursor(*pair))
strings = st.one_of(text, cursors)

schemathesis.graphql.scalar("ID", identifiers.map(nodes.String))
schemathesis.graphql.scalar("String", strings.map(nodes.String))
schemathesis.graphql.scalar("DateTime", instants.map(nodes.String))
schemathesis.graphql.scalar("Date", dates.map(nodes.String))

SCHEMA = schemathesis.graphql.from_path(SDL, config=CONFIG)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


class Budget:
    """`BUDGET_SECONDS` shared out among the runs still to come: each may take twice an
    even share of what is left (the first ones also warm the server and hypothesis up),
    and time one run leaves unused goes to the next ones; all stop at the end."""

    def __init__(self, seconds: float, runs: int) -> None:
        self.seconds = seconds
        self.runs = runs
        self.ends: float | None = None

    def share(self) -> float:
        """The deadline of the next run."""
        now = time.monotonic()
        if self.ends is None:
            self.ends = now + self.seconds
        left = max(self.ends - now, 0)
        share = 2 * left / max(self.runs, 1)
        self.runs = max(self.runs - 1, 0)
        return now + min(left, share)


@pytest.fixture(scope="module")
def budget(request: pytest.FixtureRequest) -> Budget:
    """The budget shared by the runs that this pytest session selected."""
    runs = [
        item
        for item in request.session.items
        if getattr(item, "originalname", None) == test_fuzz_never_gets_an_internal_error.__name__
    ]
    return Budget(BUDGET_SECONDS, len(runs))


# --- the server under fuzz ----------------------------------------------------------


@dataclass
class Target:
    url: str
    people: People
    loop: asyncio.AbstractEventLoop
    organiser: Person

    def new_organiser(self) -> Person:
        """A fresh signed-in organiser, made on the server's loop from the fuzz thread."""
        future = asyncio.run_coroutine_threadsafe(self.people.make("ORGANISER"), self.loop)
        return future.result(timeout=30)


@pytest.fixture(scope="module")
async def target(settings: Settings, service_urls: ServiceUrls) -> AsyncIterator[Target]:
    async with fair_database(service_urls) as dsn:
        own = replace(
            settings,
            database_url=dsn,
            redis_namespace=f"{settings.redis_namespace}-fuzz",
            smtp_host=None,
        )
        served, server, task = await start_server(own)
        try:
            people = People(dsn)
            yield Target(
                url=served.graphql_url,
                people=people,
                loop=asyncio.get_running_loop(),
                organiser=await people.make("ORGANISER"),
            )
        finally:
            await stop_server(server, task)


# --- the check ----------------------------------------------------------------------


def problems(status: int, body: Any) -> list[str]:
    """What is wrong with one response; empty when it is fine."""
    if status >= 500:
        return [f"status {status}"]
    if not isinstance(body, dict):
        return []  # a refusal before GraphQL (413, an over-long GET line): not a crash
    found = []
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code is None or code == INTERNAL:
            found.append(f"{code or 'no code'}: {error.get('message')!r} at {error.get('path')}")
    return found


def _copy(node: N, **changes: Any) -> N:
    """`node` with some fields changed (graphql-core's nodes are immutable)."""
    return type(node)(**{**{key: getattr(node, key) for key in node.keys}, **changes})


class _ArgumentsToVariables(graphql.Visitor):
    """Moves the root fields' argument values into variables of the arguments' types."""

    def __init__(self) -> None:
        super().__init__()
        self.variables: dict[str, Any] = {}
        self.declared: list[graphql.VariableDefinitionNode] = []
        self.root: graphql.GraphQLObjectType | None = None
        self.fields: list[str] = []

    def enter_operation_definition(self, node: graphql.OperationDefinitionNode, *_: Any) -> None:
        self.root = SCHEMA.client_schema.get_root_type(node.operation)
        self.declared = list(node.variable_definitions or ())

    def leave_operation_definition(
        self, node: graphql.OperationDefinitionNode, *_: Any
    ) -> graphql.OperationDefinitionNode:
        return _copy(node, variable_definitions=tuple(self.declared))

    def enter_field(self, node: graphql.FieldNode, *_: Any) -> None:
        self.fields.append(node.name.value)

    def leave_field(self, node: graphql.FieldNode, *_: Any) -> None:
        self.fields.pop()

    def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> graphql.ArgumentNode | None:
        on_root = len(self.fields) == 1 and self.root is not None
        root_field = self.root.fields.get(self.fields[0]) if on_root and self.root else None
        if root_field is None or node.name.value not in root_field.args:
            return None  # nested, or not in the schema (a negative case): stays a literal
        name = f"v{len(self.variables)}"
        self.variables[name] = graphql.value_from_ast_untyped(node.value)
        variable = graphql.VariableNode(name=graphql.NameNode(value=name))
        declared_type = graphql.parse_type(str(root_field.args[node.name.value].type))
        self.declared.append(graphql.VariableDefinitionNode(variable=variable, type=declared_type))
        return _copy(node, value=variable)


def with_variables(document: str) -> tuple[str, dict[str, Any]]:
    """`document` with the root fields' argument values sent as variables instead, so
    that variable coercion (`parse_value`, not `parse_literal`) and the caches keyed by
    variables are fuzzed as well."""
    visitor = _ArgumentsToVariables()
    changed = graphql.visit(graphql.parse(document), visitor)
    return graphql.print_ast(changed), visitor.variables


@dataclass
class Run:
    """One operation fuzzed as one viewer: what was sent and what came back."""

    label: str
    viewer: str
    deadline: float
    sent: int = 0
    codes: set[str] = field(default_factory=set)
    failing: bool = False
    cut: bool = False


class OverBudget(BaseException):
    """Raised in a run's test body when its share of the budget is spent: a
    BaseException, so hypothesis stops and lets it through instead of taking it for a
    failure to shrink (as it does KeyboardInterrupt)."""


def fuzz(target: Target, run: Run) -> None:
    """Runs in a worker thread: hypothesis drives schemathesis' cases, sent with requests
    while the server keeps serving on the test's event loop."""
    operation = SCHEMA.find_operation_by_label(run.label)
    assert operation is not None
    # Mostly documents the schema accepts, which reach the resolvers; a quarter that it
    # must refuse (wrong types, missing arguments).
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    negative = operation.as_strategy(GenerationMode.NEGATIVE)
    cases = st.sampled_from([positive, positive, positive, negative]).flatmap(lambda c: c)
    http = requests.Session()
    # signOut revokes the token it is sent with: each of those gets a fresh organiser.
    fresh_token = run.label == "Mutation.signOut"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=cases, in_variables=st.booleans(), method=st.sampled_from(["POST", "GET"]))
    def one(case: schemathesis.Case, in_variables: bool, method: str) -> None:
        if run.sent and time.monotonic() > run.deadline and not run.failing:
            raise OverBudget  # not a failure: hypothesis lets it through, and stops
        headers = {}
        if run.viewer == "organiser":
            person = target.new_organiser() if fresh_token else target.organiser
            headers = person.headers
        query, variables = str(case.body), {}
        if in_variables:
            query, variables = with_variables(query)
        if method == "GET":  # the cacheable path (a mutation must be refused there)
            params = {"query": query, "variables": json.dumps(variables)}
            response = http.get(target.url, params=params, headers=headers, timeout=30)
        elif in_variables:
            payload = {"query": query, "variables": variables}
            response = http.post(target.url, json=payload, headers=headers, timeout=30)
        else:
            response = case.call(base_url=target.url, session=http, headers=headers, timeout=30)
        run.sent += 1
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if isinstance(body, dict):
            for error in body.get("errors") or []:
                run.codes.add(str((error.get("extensions") or {}).get("code")))
        found = problems(response.status_code, body)
        if found:
            run.failing = True
            raise AssertionError(
                f"{run.label} as {run.viewer}: " + "; ".join(found) + "\n"
                f"{method}, query:\n{query}\nvariables: {json.dumps(variables)}\n"
                f"status {response.status_code}, body: {response.text[:2000]}"
            )

    test: Callable[[], None] = one
    if SEED is not None:
        test = seed(int(SEED))(test)
    try:
        test()
    except OverBudget:
        run.cut = True
    finally:
        http.close()


@pytest.mark.parametrize("viewer", ["anonymous", "organiser"])
@pytest.mark.parametrize("label", [op.label for op in OPERATIONS])
async def test_fuzz_never_gets_an_internal_error(
    target: Target, budget: Budget, label: str, viewer: str
) -> None:
    run = Run(label=label, viewer=viewer, deadline=budget.share())
    await asyncio.to_thread(fuzz, target, run)
    assert run.sent > 0
    if run.cut:
        warnings.warn(
            f"{label} as {viewer}: time budget spent after {run.sent} of {EXAMPLES} examples",
            stacklevel=1,
        )
    if viewer == "organiser" and label not in SIGN_IN:
        # The organiser's token works: nothing was refused for want of signing in.
        assert "UNAUTHENTICATED" not in run.codes, run.codes


def test_every_operation_is_fuzzed() -> None:
    sdl = graphql.build_schema(SDL.read_text())
    roots = [sdl.query_type, sdl.mutation_type]
    expected = {f"{root.name}.{name}" for root in roots if root for name in root.fields}
    assert {op.label for op in OPERATIONS} == expected
