"""What a fan-out run is made of: shapes, sides, samples, the run's context."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.fanout_procs import Client, Started, cpu_seconds, measured_pid
from bench.harness import Server, Workspace

SIDES = ("raw", "graphql")


@dataclass(frozen=True, slots=True)
class Shape:
    """N sockets per server process, on `servers` processes per side."""

    per_server: int
    servers: int = 1

    @property
    def label(self) -> str:
        return f"{self.servers}x{self.per_server}" if self.servers > 1 else str(self.per_server)

    @property
    def total(self) -> int:
        return self.per_server * self.servers


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured broadcast of one side."""

    side: str
    round: int
    key: str
    sent_at: float  # epoch seconds
    latency_ms: float  # last receipt − send
    first_ms: float  # first receipt − send
    cpu_s: float  # server CPU time (all processes of the side) over the broadcast
    deliveries: int  # sockets that got it
    expected: int
    frame_bytes: int


@dataclass(slots=True)
class Side:
    name: str
    servers: list[Server]
    clients: list[Client] = field(default_factory=list)
    held: int = 0
    base_rss: list[int] = field(default_factory=list)
    idle_rss: list[int] = field(default_factory=list)
    connect_seconds: float = 0.0

    def cpu(self) -> float:
        return sum(cpu_seconds(measured_pid(s)) for s in self.servers)

    def kb_per_connection(self) -> float:
        grown = sum(self.idle_rss) - sum(self.base_rss)
        return grown / 1024 / self.held if self.held else math.nan


@dataclass
class Context:
    args: argparse.Namespace
    space: Workspace
    dsn: str
    token: str
    namespace: str
    http: httpx.AsyncClient
    started: Started
    clients: list[Client] = field(default_factory=list)  # every one ever started
    sources_used: int = 0
    #: The cursor of the last GraphQL notice: raw ids follow it, so that both sides'
    #: frames have the same number of digits, hence the same size.
    last_cursor: int = 0

    def server_env(self) -> dict[str, str]:
        return {
            "SALON_REDIS_NAMESPACE": self.namespace,
            "SALON_LOG_LEVEL": "WARNING",
            "SALON_GC_TUNING": "true" if self.args.gc_tuning else "false",
            "SALON_WS_PING_SECONDS": str(self.args.ws_ping),
            "FANOUT_GC_LOG": "1" if self.args.gc_log else "0",
            "FANOUT_TRACEMALLOC": self.args.tracemalloc or "",
        }


@dataclass(frozen=True, slots=True)
class SideRound:
    name: str
    held: int
    base_rss: list[int]
    idle_rss: list[int]
    kb_per_connection: float
    connect_seconds: float
    health: dict[str, Any]
    code: str  # app_fingerprint() when the round's servers started
