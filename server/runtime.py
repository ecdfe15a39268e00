"""What one server process holds while it runs: pools, Redis, clock, settings."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

import asyncpg
from starlette.requests import HTTPConnection

from server.auth.mailer import LogMailer, Mailer, SmtpMailer
from server.auth.rate_limit import Limiter
from server.auth.signin import Auth
from server.clock import Clock
from server.db.pool import StatementCounter, create_pool, ping
from server.domain.agenda import agenda_version
from server.domain.routing import WalkwayCache
from server.domain.version_reads import VersionReads
from server.live.hub import Hub
from server.live.redis_client import RedisClient
from server.settings import Settings
from server.unavailable import UNAVAILABLE

log = logging.getLogger(__name__)

#: After a failure the replica is left alone this long (the primary serves meanwhile):
#: a replica that is down costs one failed attempt per period, not one per request.
REPLICA_RETRY_SECONDS = 5.0
#: A replica slower than this to say its agenda version is skipped for this request.
REPLICA_TIMEOUT_SECONDS = 1.0
#: Bound on opening one replica connection (asyncpg waits 60 s by default).
REPLICA_CONNECT_SECONDS = 2.0


@dataclass(slots=True)
class Replica:
    """The streaming read replica (DATABASE_REPLICA_URL): its pool, and whether it is
    believed to answer. Only schema/http.py reads from it, and only public queries."""

    pool: asyncpg.Pool[asyncpg.Record]
    statements: StatementCounter | None = None
    retry_seconds: float = REPLICA_RETRY_SECONDS
    #: time.monotonic() before which the replica is not tried (set at a failure).
    skip_until: float = 0.0

    @property
    def in_use(self) -> bool:
        """False for a while after a failure."""
        return time.monotonic() >= self.skip_until

    async def failed(self, error: BaseException) -> None:
        """Skip the replica for a while; its connections are made anew when it is
        tried again (after a restart, every pooled one would fail once)."""
        log.warning("read replica unavailable, reading from the primary: %r", error)
        self.skip_until = time.monotonic() + self.retry_seconds
        await self.pool.expire_connections()

    async def agenda_version(self) -> int | None:
        """The agenda version the replica has replayed; None when it is skipped or does
        not answer in time (then skipped for a while)."""
        if not self.in_use:
            return None
        try:
            return await asyncio.wait_for(agenda_version(self.pool), REPLICA_TIMEOUT_SECONDS)
        except (*UNAVAILABLE, TimeoutError, asyncpg.PostgresError) as error:
            await self.failed(error)
            return None


async def open_replica(dsn: str, settings: Settings) -> Replica:
    """The replica's pool. It opens even when the replica does not answer yet (no
    connection is made up front): the primary serves until it does."""
    counter = StatementCounter() if settings.count_statements else None
    pool = await create_pool(
        dsn,
        min_size=0,
        max_size=settings.db_pool_max,
        counter=counter,
        application_name="salon-replica",
        connect_timeout=REPLICA_CONNECT_SECONDS,
    )
    replica = Replica(pool=pool, statements=counter)
    if await replica.agenda_version() is not None:
        log.info("reading public queries from the replica")
    return replica


@dataclass(slots=True)
class Runtime:
    settings: Settings
    clock: Clock
    pool: asyncpg.Pool[asyncpg.Record]
    #: A plain Redis, or the Redis Cluster (settings.redis_cluster).
    redis: RedisClient
    mailer: Mailer
    #: Set by the app's lifespan once the hub is running.
    hub: Hub = field(init=False)
    walkways: WalkwayCache = field(default_factory=WalkwayCache)
    statements: StatementCounter | None = None
    #: The read replica, when DATABASE_REPLICA_URL is set.
    replica: Replica | None = None
    #: The primary's agenda version, one statement for the requests asking at once.
    versions: VersionReads = field(init=False)

    def __post_init__(self) -> None:
        pool = self.pool
        self.versions = VersionReads(lambda: agenda_version(pool))

    async def agenda_version(self) -> int:
        """The primary's agenda version, as of no earlier than this call."""
        return await self.versions.current()

    async def ping_postgres(self) -> None:
        """Raises when PostgreSQL does not answer (readiness)."""
        await ping(self.pool)

    async def ping_replica(self) -> None:
        """Raises when the replica does not answer (reported; not needed to be ready)."""
        if self.replica is not None:
            await ping(self.replica.pool)

    @property
    def auth(self) -> Auth:
        return Auth(
            pool=self.pool,
            limiter=Limiter(self.redis, self.settings.redis_namespace),
            mailer=self.mailer,
            token_lifetime=timedelta(days=self.settings.token_days),
        )


def mailer_from(settings: Settings) -> Mailer:
    if not settings.smtp_host:
        return LogMailer()
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


def runtime_of(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime
