"""What one server process holds while it runs: pool, Redis, clock, settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import asyncpg
from starlette.requests import HTTPConnection

from server.auth.mailer import LogMailer, Mailer, SmtpMailer
from server.auth.rate_limit import Limiter
from server.auth.signin import Auth
from server.clock import Clock
from server.db.pool import StatementCounter, ping
from server.domain.routing import WalkwayCache
from server.live.hub import Hub
from server.live.redis_client import RedisClient
from server.settings import Settings


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

    async def ping_postgres(self) -> None:
        """Raises when PostgreSQL does not answer (readiness)."""
        await ping(self.pool)

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
