"""The agenda version read once for the requests asking at once, never older than any
asker's own arrival (read-your-writes), against the real PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from server.domain.agenda import agenda_version
from server.domain.version_reads import VersionReads

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def bump_version(db: asyncpg.Connection[Any]) -> int:
    """One committed agenda change, as far as the version goes."""
    version: int = await db.fetchval(
        "UPDATE agenda_state SET version = version + 1 RETURNING version"
    )
    return version


async def test_askers_at_once_share_one_statement(database_url: str) -> None:
    async with asyncpg.create_pool(database_url, min_size=1, max_size=4) as pool:
        reads = VersionReads(lambda: agenda_version(pool))
        versions = await asyncio.gather(*(reads.current() for _ in range(20)))
        assert reads.statements == 1
        assert set(versions) == {await agenda_version(pool)}
        # Asked again later: a statement of its own, never the old answer kept.
        await reads.current()
        assert reads.statements == 2


async def test_an_asker_after_the_statement_was_sent_waits_for_a_newer_one(
    database_url: str, db: asyncpg.Connection[Any]
) -> None:
    read_done = asyncio.Event()
    release = asyncio.Event()
    async with asyncpg.create_pool(database_url, min_size=1, max_size=4) as pool:

        async def read_then_hold() -> int:
            version = await agenda_version(pool)
            read_done.set()
            await release.wait()  # the answer is on its way back, still not delivered
            return version

        reads = VersionReads(read_then_hold)
        first = asyncio.ensure_future(reads.current())
        await asyncio.wait_for(read_done.wait(), 10)
        changed = await bump_version(db)  # committed after the first statement ran
        second = asyncio.ensure_future(reads.current())  # sent once the change committed
        release.set()
        assert await asyncio.wait_for(first, 10) == changed - 1
        assert await asyncio.wait_for(second, 10) == changed
        assert reads.statements == 2


async def test_a_failed_read_reaches_every_asker_and_the_next_read_tries_again(
    database_url: str,
) -> None:
    pools = [await asyncpg.create_pool(database_url, min_size=1, max_size=2)]
    reads = VersionReads(lambda: agenda_version(pools[-1]))
    await pools[-1].close()
    results = await asyncio.gather(*(reads.current() for _ in range(3)), return_exceptions=True)
    assert all(isinstance(result, asyncpg.InterfaceError) for result in results)
    assert reads.statements == 1
    async with asyncpg.create_pool(database_url, min_size=1, max_size=2) as reopened:
        pools.append(reopened)
        assert await reads.current() == await agenda_version(reopened)


async def test_one_asker_going_away_leaves_the_others_their_answer(database_url: str) -> None:
    read_started = asyncio.Event()
    async with asyncpg.create_pool(database_url, min_size=1, max_size=2) as pool:

        async def read() -> int:
            read_started.set()
            return await agenda_version(pool)

        reads = VersionReads(read)
        leaving = asyncio.ensure_future(reads.current())
        staying = asyncio.ensure_future(reads.current())
        await asyncio.wait_for(read_started.wait(), 10)  # sent once both had asked
        leaving.cancel()
        assert await asyncio.wait_for(staying, 10) == await agenda_version(pool)
        assert reads.statements == 1
