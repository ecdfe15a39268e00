"""Process metrics served at /metrics in the Prometheus text format."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    ProcessCollector,
)

from server.clock import TZDATA_VERSION


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    open_connections: Gauge
    active_subscriptions: Gauge
    notices_published: Counter
    notices_delivered: Counter
    delivery_latency: Histogram
    slow_consumers_dropped: Counter


def _metrics() -> Metrics:
    registry = CollectorRegistry()
    # RSS, CPU seconds, open files: memory per idle socket is RSS over open sockets.
    ProcessCollector(registry=registry)
    # Which IANA release turns instants into fair time (salon_tzdata_info{version=…} 1).
    Info("salon_tzdata", "The IANA time zone data release in use.", registry=registry).info(
        {"version": TZDATA_VERSION}
    )
    return Metrics(
        registry=registry,
        open_connections=Gauge(
            "salon_websocket_connections", "Open GraphQL websockets.", registry=registry
        ),
        active_subscriptions=Gauge(
            "salon_active_subscriptions", "Live notices subscriptions.", registry=registry
        ),
        notices_published=Counter(
            "salon_notices_published", "Notices the relay published.", registry=registry
        ),
        notices_delivered=Counter(
            "salon_notices_delivered", "Notices sent to phones.", registry=registry
        ),
        delivery_latency=Histogram(
            "salon_notice_delivery_seconds",
            "From the notice's commit (or due time) until this process handed it to the "
            "last of its sockets in the audience (each socket that had to wait counts "
            "on its own).",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        ),
        slow_consumers_dropped=Counter(
            "salon_slow_consumers_dropped",
            "Subscribers cut off because they did not read fast enough.",
            registry=registry,
        ),
    )


#: One set per process (a relay in a worker process counts there).
METRICS = _metrics()
