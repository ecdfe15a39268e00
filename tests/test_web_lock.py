"""The app's Node dependencies are pinned the way the Python ones are: exact versions in
web/package.json, web/package-lock.json the only source of what is installed (with
integrity hashes), and every install step `npm ci`."""

from __future__ import annotations

import json
import re

import pytest

from server.settings import REPO_ROOT

WEB = REPO_ROOT / "web"
PACKAGE = json.loads((WEB / "package.json").read_text())
LOCK = json.loads((WEB / "package-lock.json").read_text())
EXACT = re.compile(r"^\d+\.\d+\.\d+$")


def test_every_direct_dependency_is_an_exact_version() -> None:
    declared = {**PACKAGE["dependencies"], **PACKAGE["devDependencies"]}
    assert {name: v for name, v in declared.items() if not EXACT.match(v)} == {}


def test_the_lock_agrees_with_package_json() -> None:
    root = LOCK["packages"][""]
    assert root["dependencies"] == PACKAGE["dependencies"]
    assert root["devDependencies"] == PACKAGE["devDependencies"]
    for name, version in {**PACKAGE["dependencies"], **PACKAGE["devDependencies"]}.items():
        assert LOCK["packages"][f"node_modules/{name}"]["version"] == version, name


def test_every_locked_package_has_an_integrity_hash() -> None:
    packages = {path: p for path, p in LOCK["packages"].items() if path and not p.get("link")}
    assert packages
    assert [
        path for path, p in packages.items() if not p.get("integrity", "").startswith("sha")
    ] == []


@pytest.mark.parametrize("path", ["Makefile", "Dockerfile", ".ci/run"])
def test_node_packages_are_installed_only_from_the_lock(path: str) -> None:
    text = (REPO_ROOT / path).read_text()
    assert re.findall(r"\bnpm (?:install|i|add|update)\b", text) == []
