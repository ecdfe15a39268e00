"""Where a benchmark runs: loopback only, the server on core 0, the load on core 1."""

from __future__ import annotations

from server.settings import REPO_ROOT

GRAPHQL_PATH = "/graphql"
HOST = "127.0.0.1"  # loopback only
SERVER_CORE = "0"
CLIENT_CORE = "1"
RESULTS_DIR = REPO_ROOT / "bench" / "results"


class BenchError(RuntimeError):
    """The benchmark cannot give an honest figure; the message says why."""


def pinning() -> dict[str, str]:
    return {"server_core": SERVER_CORE, "wrk_core": CLIENT_CORE}
