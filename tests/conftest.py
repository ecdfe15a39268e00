"""Real PostgreSQL and Redis; a fresh database per run; the app served by uvicorn."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from server.app import create_app
from server.auth.signin import issue_token
from server.db.migrate import migrate
from server.db.pool import connect
from server.domain.demo import load_fair
from server.domain.people import NewPerson, add_person
from server.runtime import Runtime
from server.services import ServiceUrls, drop_database, ensure_database, locate_services
from server.settings import Settings


@pytest.fixture(scope="session")
def service_urls() -> ServiceUrls:
    return locate_services(Settings.from_env())


@pytest.fixture(scope="session")
async def database_url(service_urls: ServiceUrls) -> AsyncIterator[str]:
    """A database of this run's own, migrated and loaded with the demo fair."""
    name = f"salon_test_{os.getpid()}_{secrets.token_hex(3)}"
    dsn = await ensure_database(service_urls, name)
    conn = await connect(dsn)
    try:
        await migrate(conn)
        await load_fair(conn)
    finally:
        await conn.close()
    yield dsn
    await drop_database(service_urls, name)


@pytest.fixture(scope="session")
def settings(database_url: str, service_urls: ServiceUrls) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=service_urls.redis_url,
        count_statements=True,
        log_level="WARNING",
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


async def start_server(settings: Settings) -> tuple[LiveServer, uvicorn.Server, asyncio.Task[None]]:
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_config=None,
        access_log=False,
        lifespan="on",
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # start-up failed: raise its error here
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return LiveServer(app=app, url=f"http://127.0.0.1:{port}"), server, task


async def stop_server(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await asyncio.wait_for(task, timeout=10)


@pytest.fixture(scope="session")
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    served, server, task = await start_server(settings)
    yield served
    await stop_server(server, task)


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
                token = await issue_token(conn, person_id, datetime.now(UTC), timedelta(days=1))
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
                    token = await issue_token(conn, person_id, datetime.now(UTC), timedelta(days=1))
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
