"""The foundation: settings documented, services, migrations, health, SDL.

The layer rules are import-linter contracts run by `make lint` (pyproject.toml,
[tool.importlinter]); where SQL may be written is tests/test_layers.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import fields
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

import schema
from schema.app import schema as graphql_schema
from server.clock import TZDATA_VERSION
from server.db.migrate import available_migrations, migrate
from server.db.pool import StatementCounter
from server.settings import Settings, env_name
from tests.conftest import LiveServer, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README, flags=re.MULTILINE))
    expected = {env_name(f.name) for f in fields(Settings)}
    assert documented == expected


def _subcommands(capsys: pytest.CaptureFixture[str], *words: str) -> list[str]:
    """The subcommands `salon WORDS… --help` lists, in its order."""
    from server.cli import main

    with pytest.raises(SystemExit) as exited:
        main([*words, "--help"])
    assert exited.value.code == 0
    usage = capsys.readouterr().out.splitlines()[0]
    found = re.search(r"\{([a-z,]+)\}", usage)
    assert found is not None, usage
    return found[1].split(",")


def test_every_cli_command_is_documented_in_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _subcommands(capsys)
    assert commands == ["serve", "worker", "watch", "migrate", "demo", "user", "token", "import"]
    assert _subcommands(capsys, "user") == ["add"]
    documented = set(re.findall(r"`salon (user \w+|\w+)", README))
    assert documented == {
        "serve",
        "worker",
        "watch",
        "migrate",
        "demo",
        "user add",
        "token",
        "import",
    }


def test_settings_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql://x/y", "SALON_PORT": "9001", "SALON_GRAPHIQL": "off"}
    )
    assert (settings.database_url, settings.port, settings.graphiql) == (
        "postgresql://x/y",
        9001,
        False,
    )
    with pytest.raises(ValueError, match="SALON_GRAPHIQL"):
        Settings.from_env({"SALON_GRAPHIQL": "maybe"})


async def test_migrations_apply_once_and_rerun_as_no_op(db: asyncpg.Connection[Any]) -> None:
    assert await migrate(db) == []  # conftest already migrated this database
    recorded = [r["number"] for r in await db.fetch("SELECT number FROM schema_migration")]
    assert recorded == [m.number for m in available_migrations()]
    extensions = {r["extname"] for r in await db.fetch("SELECT extname FROM pg_extension")}
    assert extensions == {"plpgsql", "unaccent", "pg_trgm", "btree_gist"}


async def test_health_and_readiness(http: httpx.AsyncClient) -> None:
    health = await http.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "ok", "tzdata": TZDATA_VERSION})
    ready = await http.get("/readyz")
    assert (ready.status_code, ready.json()) == (
        200,
        {"ready": True, "checks": {"postgres": "ok", "redis": "ok"}},
    )


async def test_readiness_is_503_when_redis_does_not_answer(settings: Settings) -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    broken = Settings(
        **{
            **{f.name: getattr(settings, f.name) for f in fields(Settings)},
            "redis_url": "redis://127.0.0.1:1/0",
        }
    )
    served, server, task = await start_server(broken)
    try:
        async with httpx.AsyncClient(base_url=served.url) as client:
            response = await client.get("/readyz")
    finally:
        await stop_server(server, task)
    assert (response.status_code, response.json()) == (
        503,
        {"ready": False, "checks": {"postgres": "ok", "redis": "unavailable: ConnectionError"}},
    )


async def test_every_response_carries_a_request_id(http: httpx.AsyncClient) -> None:
    first, second = await http.get("/healthz"), await http.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{16}", first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_committed_sdl_matches_the_code() -> None:
    committed = (ROOT / "schema" / "schema.graphql").read_text()
    assert committed.strip() == graphql_schema.as_str().strip(), "run `make sdl`"


def test_our_schema_package_is_the_one_imported() -> None:
    assert Path(schema.__file__).resolve().parent == ROOT / "schema"


def test_docker_compose_file_is_valid() -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (.ci/run installs it)")
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    services = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--services"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(services) == ["postgres", "redis", "server", "worker"]


async def test_live_server_fixture_serves_the_real_app(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    # The app of this run's settings, counting its statements (the N+1 tests rely on it):
    # /readyz sends exactly one through the pool.
    counter = live.runtime.statements
    assert isinstance(counter, StatementCounter)
    before = counter.count
    response = await http.get("/readyz")
    assert (response.status_code, counter.statements[before:]) == (200, ["SELECT 1"])


async def test_graphiql_is_served_to_browsers(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert (
        response.status_code,
        response.headers["content-type"],
        re.findall(r"<title>.*?</title>", response.text),
    ) == (200, "text/html; charset=utf-8", ["<title>Strawberry GraphiQL</title>"])
