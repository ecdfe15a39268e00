"""Real PostgreSQL and Redis; a fresh database per run; the app served by uvicorn."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from starlette.applications import Starlette

from server.app import create_app
from server.auth.signin import issue_token
from server.clock import Clock
from server.db.pool import connect
from server.domain.people import NewPerson, add_person
from server.runtime import Runtime
from server.services import ServiceUrls, locate_services
from server.serving import uvicorn_config
from server.settings import Settings
from tests.databases import fair_database
from tests.fair_data import FAIR_EVE


@pytest.fixture(scope="session")
def service_urls() -> ServiceUrls:
    return locate_services(Settings.from_env())


@pytest.fixture(scope="session")
async def database_url(service_urls: ServiceUrls) -> AsyncIterator[str]:
    """A database of this run's own, migrated and loaded with the demo fair."""
    async with fair_database(service_urls, "salon_test") as dsn:
        yield dsn


class Mailbox:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._arrived: asyncio.Queue[EmailMessage] = asyncio.Queue()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        # aiosmtpd runs in its own thread: hand the message over to the test's loop.
        self._loop.call_soon_threadsafe(self._arrived.put_nowait, message)
        return "250 OK"

    async def next_message(self, to: str) -> EmailMessage:
        """The next message for `to` (others are dropped); fails after 10 s."""
        async with asyncio.timeout(10):
            while True:
                message = await self._arrived.get()
                if message["To"] == to:
                    return message

    async def sign_in_code(self, to: str) -> str:
        body = (await self.next_message(to)).get_content()
        match = re.search(r"\b(\d{6})\b", body)
        assert match, body
        return match.group(1)


@pytest.fixture(scope="session")
async def mailbox() -> AsyncIterator[Mailbox]:
    box = Mailbox(asyncio.get_running_loop())
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture(scope="session")
def settings(database_url: str, service_urls: ServiceUrls, mailbox: Mailbox) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=service_urls.redis_url,
        count_statements=True,
        # The suite's own time: `fair_clock` moves it and goes back to it.
        now=FAIR_EVE.isoformat(),
        log_level="WARNING",
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        # This run's own keys and channel in the shared Redis.
        redis_namespace=f"salon-test-{os.getpid()}-{secrets.token_hex(3)}",
    )


@dataclass
class LiveServer:
    """The real app behind a real uvicorn on a free loopback port."""

    app: Starlette
    url: str

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def ws_url(self) -> str:
        return self.graphql_url.replace("http://", "ws://")


async def serve_on_loopback(
    config: uvicorn.Config,
) -> tuple[uvicorn.Server, asyncio.Task[None], int]:
    """uvicorn serving `config` (port 0) in a task: the server, its task, its port."""
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # start-up failed: raise its error here
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, port


async def start_server(settings: Settings) -> tuple[LiveServer, uvicorn.Server, asyncio.Task[None]]:
    app = create_app(settings)
    config = uvicorn_config(app, settings, host="127.0.0.1", port=0)  # as `salon serve`
    server, task, port = await serve_on_loopback(config)
    return LiveServer(app=app, url=f"http://127.0.0.1:{port}"), server, task


async def stop_server(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await asyncio.wait_for(task, timeout=10)


@pytest.fixture(scope="session")
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    served, server, task = await start_server(settings)
    yield served
    await stop_server(server, task)


@pytest.fixture
def fair_clock(live: LiveServer) -> Iterator[Clock]:
    """The live server's clock, to move in a test; the suite's own time again afterwards."""
    clock = live.runtime.clock
    yield clock
    clock.reset()


@pytest.fixture(scope="session")
async def http(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as client:
        yield client


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


#: Long enough to outlive a test that moves the clock into the fair (3–6 Dec 2026).
TOKEN_LIFETIME = timedelta(days=30)


class People:
    """Makes people with roles and a live bearer token, straight in the database."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    async def make(
        self,
        *roles: str,
        speaker_id: str | None = None,
        exhibitor_id: str | None = None,
        name: str | None = None,
    ) -> Person:
        email = f"{secrets.token_hex(6)}@test.example"
        conn = await connect(self.database_url)
        try:
            async with conn.transaction():
                person_id = await add_person(
                    conn,
                    NewPerson(
                        email=email,
                        roles=roles or ("ATTENDEE",),
                        name=name,
                        speaker_id=speaker_id,
                        exhibitor_id=exhibitor_id,
                    ),
                )
                token = await issue_token(conn, person_id, FAIR_EVE, TOKEN_LIFETIME)
        finally:
            await conn.close()
        return Person(id=person_id, email=email, token=token)

    async def many(self, count: int) -> list[Person]:
        """`count` attendees, made in one transaction (for the concurrency tests)."""
        conn = await connect(self.database_url)
        made = []
        try:
            async with conn.transaction():
                for _ in range(count):
                    email = f"{secrets.token_hex(6)}@test.example"
                    person_id = await add_person(conn, NewPerson(email=email, roles=["ATTENDEE"]))
                    token = await issue_token(conn, person_id, FAIR_EVE, TOKEN_LIFETIME)
                    made.append(Person(id=person_id, email=email, token=token))
        finally:
            await conn.close()
        return made


@pytest.fixture(scope="session")
def people(database_url: str) -> People:
    return People(database_url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection[Any]]:
    conn = await connect(database_url)
    yield conn
    await conn.close()


class GraphQLClient:
    """Posts GraphQL over HTTP and returns the decoded body."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        as_: Person | None = None,
        **headers: str,
    ) -> dict[str, Any]:
        if as_ is not None:
            headers = {**as_.headers, **headers}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, as_: Person | None = None
    ) -> dict[str, Any]:
        """The `data` of a query that must succeed."""
        body = await self(query, variables, as_)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def error_codes(
        self, query: str, variables: dict[str, Any] | None = None, as_: Person | None = None
    ) -> list[str]:
        body = await self(query, variables, as_)
        assert body.get("errors"), f"expected an error, got {body}"
        return [e["extensions"]["code"] for e in body["errors"]]


@pytest.fixture(scope="session")
def gql_http(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


__all__ = [
    "GraphQLClient",
    "LiveServer",
    "People",
    "Person",
    "replace",
    "start_server",
    "stop_server",
]


@pytest.fixture(scope="session")
async def worker(settings: Settings, live: LiveServer) -> AsyncIterator[asyncio.Task[None]]:
    """`salon worker` (relay and reminder jobs) running beside the live server, on its
    clock, so tests that move the fair's clock move the worker's too."""
    from workers.main import run_worker

    stop = asyncio.Event()
    fast = replace(settings, relay_poll_seconds=0.2, reminder_poll_seconds=0.2)
    task = asyncio.create_task(run_worker(fast, stop, clock=live.runtime.clock))
    yield task
    stop.set()
    await asyncio.wait_for(task, timeout=10)
