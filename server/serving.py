"""How Salon is served: uvicorn with the options it was measured with, in one process
or in N processes on one port, each accepting from a listening socket of its own.

uvicorn's own `--workers` shares one listening socket between its processes, and
whichever wakes first accepts: in bench.rush one process took all 32 of wrk's
keep-alive connections while the other served none (`ss -tnp`), so a second process
added next to nothing to the agenda's throughput. With SO_REUSEPORT the kernel hashes
each new connection to one of the sockets: every process gets an even share. The
sockets are bound here, by the supervisor, and kept open: a process that dies is
replaced on the same socket, and the connections that arrive meanwhile wait in its
backlog instead of being refused.

The supervisor replaces a process that exits; one that fails at start-up (a broken
setting, a database that is not there) would fail the same way again, so the whole
server stops instead, as uvicorn's does.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import socket
import threading
from multiprocessing.process import BaseProcess

import uvicorn
from starlette.types import ASGIApp
from uvicorn.config import STARTUP_FAILURE

from server.client_address import uvicorn_proxy_options
from server.live.transport import UVICORN_WS
from server.logs import configure_logging
from server.settings import Settings

log = logging.getLogger(__name__)

#: Seconds between two looks at the processes.
WATCH_SECONDS = 0.5
#: Seconds a process has to finish its connections once told to stop.
STOP_SECONDS = 30.0

# As uvicorn's: a process of its own interpreter, which imports the app afresh.
_spawn = multiprocessing.get_context("spawn")


def uvicorn_config(
    app: str | ASGIApp, settings: Settings, *, host: str, port: int
) -> uvicorn.Config:
    """uvicorn serving `app` as Salon is served: an app factory (`module:function`, what
    each server process imports) or an app (the tests' in-process servers). Raises
    ValueError on a bad `trusted_proxies` setting."""
    return uvicorn.Config(
        app,
        factory=isinstance(app, str),
        host=host,
        port=port,
        access_log=False,  # our RequestLog writes one structured line per request
        log_config=None,
        # The stack bench.fanout chose (docs/profiles/fanout-stacks.txt), said outright so
        # that a missing extra fails at start-up instead of falling back to a slower one.
        loop="uvloop",
        http="httptools",
        ws=UVICORN_WS,  # a phone that stopped reading is dropped, not waited for
        ws_per_message_deflate=False,  # costs memory and CPU on every socket
        ws_ping_interval=settings.ws_ping_seconds,  # dead phones are noticed, then dropped
        ws_ping_timeout=settings.ws_ping_seconds,
        lifespan="on",
        **uvicorn_proxy_options(settings),  # X-Forwarded-For only from these
    )


def serve(config: uvicorn.Config, workers: int = 1, *, log_level: str = "INFO") -> None:
    """Serve until SIGINT or SIGTERM, in `workers` processes."""
    if workers <= 1:
        _run(config)
    else:
        serve_processes(config, workers, log_level=log_level)


def reuseport_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` sockets bound to one address; port 0 picks a free port, shared by all."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def serve_processes(config: uvicorn.Config, workers: int, *, log_level: str = "INFO") -> None:
    """Serve `config`'s app from `workers` processes until SIGINT or SIGTERM; each
    process logs as `salon` does (server/logs.py), at `log_level`."""
    sockets = reuseport_sockets(config.host, config.port, workers)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    processes = [_start(config, sock, log_level) for sock in sockets]
    failed = False
    try:
        while not stopping.wait(WATCH_SECONDS):
            for index, process in enumerate(processes):
                if process.is_alive() or stopping.is_set():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("a server process failed to start: the server stops")
                    failed = True
                    stopping.set()
                    break
                log.warning(
                    "server process %s ended (%s): another starts", process.pid, process.exitcode
                )
                processes[index] = _start(config, sockets[index], log_level)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes its connections, then exits
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        for sock in sockets:
            sock.close()
    if failed:
        raise SystemExit(STARTUP_FAILURE)


def _start(config: uvicorn.Config, sock: socket.socket, log_level: str) -> BaseProcess:
    process = _spawn.Process(target=_serve_one, args=(config, sock, log_level), name="salon-server")
    process.start()
    return process


def _serve_one(config: uvicorn.Config, sock: socket.socket, log_level: str) -> None:
    """In the server process: uvicorn on its own socket."""
    config.configure_logging()
    configure_logging(log_level)
    _run(config, [sock])


def _run(config: uvicorn.Config, sockets: list[socket.socket] | None = None) -> None:
    server = uvicorn.Server(config)
    # A Ctrl-C reaches the whole process group; the supervisor stops its processes itself.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=sockets)
    if not server.started:  # the app's start-up failed (uvicorn logged why)
        raise SystemExit(STARTUP_FAILURE)
