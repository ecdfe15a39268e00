"""Telling "a service we depend on is down" apart from a bug."""

from __future__ import annotations

import asyncpg
from redis.exceptions import ClusterDownError, RedisClusterException
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

#: Errors that mean PostgreSQL or Redis cannot be reached right now.
UNAVAILABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.InterfaceError,
    asyncpg.ConnectionDoesNotExistError,
    RedisConnectionError,
    RedisTimeoutError,
    # A Redis Cluster with a master down, or whose nodes cannot be reached.
    ClusterDownError,
    RedisClusterException,
)

CODE = "SERVICE_UNAVAILABLE"
MESSAGE = "The service is briefly unavailable; nothing was changed. Please try again."


def is_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, UNAVAILABLE)
