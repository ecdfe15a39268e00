"""Every GraphQL document the attendee app sends is valid against the server's schema:
a renamed field breaks this test, not a phone at the fair."""

from __future__ import annotations

import pytest
from graphql import parse, validate

from schema.app import schema
from schema.strawberry_seam import graphql_schema
from tests.app_documents import SOURCES, app_document, constants

OPERATION = ("query", "mutation", "subscription")


def app_operations() -> list[tuple[str, str]]:
    found = []
    for path in sorted(SOURCES.rglob("*.ts")):
        module = path.relative_to(SOURCES).with_suffix("").as_posix()
        for name, text in constants(module).items():
            if text.lstrip().startswith(OPERATION) or text.lstrip().startswith("{"):
                found.append((module, name))
    return found


def test_the_app_documents_are_found() -> None:
    names = {f"{module}.{name}" for module, name in app_operations()}
    assert {"lib/agenda-sync.SYNC", "lib/live.SUBSCRIPTION"} <= names
    assert len(names) >= 20


@pytest.mark.parametrize(("module", "name"), app_operations())
def test_an_app_document_is_valid_against_the_schema(module: str, name: str) -> None:
    document = parse(app_document(module, name))
    assert validate(graphql_schema(schema), document) == []
