"""The fixtures of the tests that run on a fair of their own (tests/offline_copy.py): the
app on it (one per test module), a connection to its database, an organiser.

A test module takes them by assignment (`fair = own_fair_fixtures.fair`): pytest finds a
fixture under the name the module gives it, where an import would be flagged as unused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeAlias

import asyncpg
import pytest

from server.db.pool import connect
from server.services import ServiceUrls
from server.settings import Settings
from tests.conftest import People, Person
from tests.databases import fair_database
from tests.offline_copy import OwnFair, app_on

Db: TypeAlias = "asyncpg.Connection[Any]"


@pytest.fixture(scope="module")
async def fair(settings: Settings, service_urls: ServiceUrls) -> AsyncIterator[OwnFair]:
    async with fair_database(service_urls, "salon_copy") as dsn, app_on(settings, dsn) as own:
        yield own


@pytest.fixture
async def own_db(fair: OwnFair) -> AsyncIterator[Db]:
    conn = await connect(fair.dsn)
    yield conn
    await conn.close()


@pytest.fixture
async def organiser(fair: OwnFair) -> Person:
    return await People(fair.dsn).make("ORGANISER")
