"""`bench.rush` in miniature (a few dozen sockets, a few seconds), so the benchmark
cannot rot: the run must end with every notice delivered once, in cursor order, and
no request failed, at 1 and at 2 server processes. Its figures are not looked at here
(speed is measured by `make bench-rush`, as ratios)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import orjson
import pytest

from server.settings import REPO_ROOT

RUN_LIMIT = 600  # seconds; the tiny run takes about a minute


def _missing() -> str | None:
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (.ci/run installs it)"
    if not {0, 1} <= os.sched_getaffinity(0):
        return "bench.rush pins its two sides to cores 0 and 1, and this machine lacks one"
    return None


def test_the_tiny_rush_delivers_every_notice_once_and_fails_no_request() -> None:
    if (reason := _missing()) is not None:
        pytest.skip(reason)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    done = subprocess.run(
        [sys.executable, "-m", "bench.rush", "--tiny"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    written = done.stdout.rsplit("results written to ", 1)[1].split()[0]
    results = orjson.loads((REPO_ROOT / written).read_bytes())
    (REPO_ROOT / written).unlink()
    figures = results["figures"]
    assert {(f["side"], f["workers"]) for f in figures} == {
        (side, workers) for side in ("plain", "graphql") for workers in (1, 2)
    }
    for figure in figures:
        assert figure["notices_expected"] > 0
        assert figure["burst"]["caught_up"] == figure["burst"]["sockets"]
        assert (figure["lost"], figure["repeats"], figure["out_of_order"]) == (0, 0, 0)
        assert figure["errors"] == {}
