"""What every benchmark of this project needs: its own database, a pinned uvicorn, wrk.

A benchmark module keeps only what is specific to it (its GraphQL document, its plain
endpoint, its equality check) and calls these pieces in order:

    run(prog, body)                      preflight, SIGTERM handling, always drops the db
      prepare_database(space, setup)     create, migrate, load the demo fair, `setup`
      running_server(space, dsn, app)    one uvicorn on core 0, stopped by its pid
        write_wrk_script / Load          the same POST(s) for both endpoints
        warm_up, interleave              plain, GraphQL, plain, GraphQL … on core 1
      print_verdict, save_results        median ratio, JSON in bench/results/

One module per job: `machine` (loopback, cores, BenchError), `app` (the app factory
and plain-endpoint helpers, inside uvicorn), `database`, `server` (the uvicorn
process), `answers` (reading responses back), `wrk`, `pairs` (interleaving and the
report), `guard` (flags, preflight, the guarded run). Everything is importable from
`bench.harness` itself.

The machine is shared and noisy (2 cores), so only ratios measured side by side count.
"""

from __future__ import annotations

from bench.harness.answers import first_difference, ok_json
from bench.harness.app import bearer_viewer, by_ids, create_app_with
from bench.harness.database import Workspace, prepare_database
from bench.harness.guard import add_load_arguments, bounded, preflight, run
from bench.harness.machine import (
    CLIENT_CORE,
    GRAPHQL_PATH,
    HOST,
    RESULTS_DIR,
    SERVER_CORE,
    BenchError,
    pinning,
)
from bench.harness.pairs import (
    TABLE_HEADER,
    Endpoints,
    Pair,
    format_pair,
    interleave,
    measure_pair,
    median_ratio,
    print_verdict,
    save_results,
    warm_up,
)
from bench.harness.server import (
    SERVER_START_TIMEOUT,
    SERVER_STOP_TIMEOUT,
    Server,
    describe_server,
    free_port,
    running_server,
    server_env,
    serving,
    stop_process,
    wait_ready,
)
from bench.harness.wrk import (
    WRK_GRACE,
    WRK_TIMEOUT,
    Load,
    Run,
    describe_load,
    parse_wrk,
    run_wrk,
    write_wrk_script,
)

__all__ = [
    "CLIENT_CORE",
    "GRAPHQL_PATH",
    "HOST",
    "RESULTS_DIR",
    "SERVER_CORE",
    "SERVER_START_TIMEOUT",
    "SERVER_STOP_TIMEOUT",
    "TABLE_HEADER",
    "WRK_GRACE",
    "WRK_TIMEOUT",
    "BenchError",
    "Endpoints",
    "Load",
    "Pair",
    "Run",
    "Server",
    "Workspace",
    "add_load_arguments",
    "bearer_viewer",
    "bounded",
    "by_ids",
    "create_app_with",
    "describe_load",
    "describe_server",
    "first_difference",
    "format_pair",
    "free_port",
    "interleave",
    "measure_pair",
    "median_ratio",
    "ok_json",
    "parse_wrk",
    "pinning",
    "preflight",
    "prepare_database",
    "print_verdict",
    "run",
    "run_wrk",
    "running_server",
    "save_results",
    "server_env",
    "serving",
    "stop_process",
    "wait_ready",
    "warm_up",
    "write_wrk_script",
]
