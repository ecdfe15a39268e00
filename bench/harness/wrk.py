"""Load generation with wrk, pinned to the client's core: its Lua script, its figures."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.harness.machine import CLIENT_CORE, HOST, BenchError

WRK_GRACE = 30.0  # seconds wrk may overrun its -d before we give up on it
WRK_TIMEOUT = "10s"  # a request slower than this counts as a timeout, not a latency


@dataclass(frozen=True, slots=True)
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    socket_errors: int


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _latency_ms(output: str, percentile: int) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if match is None:
        raise BenchError(f"no {percentile}% latency in wrk's output:\n{output}")
    return float(match[1]) * _UNIT_MS[match[2]]


def parse_wrk(output: str) -> Run:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    requests = re.search(r"(\d+) requests in", output)
    if rps is None or requests is None:
        raise BenchError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx is not None:
        raise BenchError(f"{non_2xx[1]} requests failed (non-2xx); figures are void:\n{output}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return Run(
        rps=float(rps[1]),
        p50_ms=_latency_ms(output, 50),
        p99_ms=_latency_ms(output, 99),
        requests=int(requests[1]),
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )


def _lua_string(text: str) -> str:
    assert "]==]" not in text  # the Lua long string must not end early
    return f"[==[{text}]==]"


def write_wrk_script(
    folder: Path, name: str, bodies: Sequence[bytes], headers: Mapping[str, str] | None = None
) -> Path:
    """A wrk script POSTing JSON: one body every time, or several bodies in turn (each
    request takes the next, round robin). Both endpoints of a pair get the same script,
    so only the server's handling differs."""
    if not bodies:
        raise ValueError("at least one body")
    lines = ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"']
    # The spaces matter: `t[[==[` would open a long string instead of indexing `t`.
    lines += [
        f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in (headers or {}).items()
    ]
    if len(bodies) == 1:
        lines.append(f"wrk.body = {_lua_string(bodies[0].decode())}")
    else:
        lines.append("local bodies = {")
        lines += [f"  {_lua_string(b.decode())}," for b in bodies]
        lines += [
            "}",
            "local turn = 0",
            "request = function()",
            "  turn = turn % #bodies + 1",
            "  return wrk.format(nil, nil, nil, bodies[turn])",
            "end",
        ]
    script = folder / f"{name}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


@dataclass(frozen=True, slots=True)
class Load:
    script: Path
    seconds: int
    connections: int


def run_wrk(url: str, load: Load, seconds: int | None = None) -> Run:
    duration = seconds or load.seconds
    command = [
        "taskset", "-c", CLIENT_CORE,
        "wrk", "-t1", f"-c{load.connections}", f"-d{duration}s", "--latency",
        "--timeout", WRK_TIMEOUT, "-s", str(load.script), url,
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + WRK_GRACE, check=False
        )
    except subprocess.TimeoutExpired as exc:  # subprocess.run kills wrk before raising
        raise BenchError(f"wrk ran past {duration + WRK_GRACE:.0f} s") from exc
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    if done.stderr.strip():  # a broken Lua script is only reported here: wrk still exits 0
        raise BenchError(f"wrk complained, figures are void: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def describe_load(connections: int, seconds: int, what: str) -> str:
    return (
        f"Load:   wrk -t1 -c{connections} -d{seconds}s pinned to core {CLIENT_CORE} "
        f"(taskset -c {CLIENT_CORE}), {what}, {HOST} only"
    )
