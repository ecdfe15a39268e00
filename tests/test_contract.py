"""Every name of ../shared/api/contract.graphql exists in our schema, as strict or stricter."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from schema.app import schema as our_schema

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_PATH = ROOT.parent / "shared" / "api" / "contract.graphql"

#: Contract names delivered by a later issue (none left).
#: This set only shrinks; the test fails if something here already exists.
NOT_YET: set[str] = set()


def _unwrap_nullability(type_: object) -> str:
    return str(type_.of_type if isinstance(type_, GraphQLNonNull) else type_)


def _mismatches(contract: GraphQLSchema, ours: GraphQLSchema) -> list[str]:
    problems = []
    for name, expected in contract.type_map.items():
        if name.startswith("__") or name in NOT_YET:
            continue
        actual = ours.type_map.get(name)
        if actual is None:
            problems.append(f"missing type {name}")
            continue
        if isinstance(expected, GraphQLEnumType):
            missing = set(expected.values) - set(actual.values)  # type: ignore[attr-defined]
            problems += [f"missing enum value {name}.{v}" for v in sorted(missing)]
        if isinstance(expected, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, field in expected.fields.items():
                label = f"{name}.{field_name}"
                if label in NOT_YET:
                    continue
                ours_field = actual.fields.get(field_name)  # type: ignore[attr-defined]
                if ours_field is None:
                    problems.append(f"missing field {label}")
                    continue
                if isinstance(expected, GraphQLInputObjectType):
                    # input fields may be looser: same named type, nullability may relax
                    if _unwrap_nullability(ours_field.type) != _unwrap_nullability(field.type):
                        problems.append(f"{label}: {ours_field.type} vs {field.type}")
                    continue
                # output fields may be stricter: ours non-null where the contract allows null
                if _unwrap_nullability(ours_field.type) != _unwrap_nullability(field.type) or (
                    isinstance(field.type, GraphQLNonNull)
                    and not isinstance(ours_field.type, GraphQLNonNull)
                ):
                    problems.append(f"{label}: ours {ours_field.type}, contract {field.type}")
                for arg_name, arg in field.args.items():
                    ours_arg = ours_field.args.get(arg_name)
                    if ours_arg is None:
                        problems.append(f"missing argument {label}({arg_name})")
                    elif _unwrap_nullability(ours_arg.type) != _unwrap_nullability(arg.type) or (
                        isinstance(ours_arg.type, GraphQLNonNull)
                        and not isinstance(arg.type, GraphQLNonNull)
                    ):
                        problems.append(f"{label}({arg_name}): {ours_arg.type} vs {arg.type}")
    return problems


@pytest.fixture(scope="module")
def contract() -> GraphQLSchema:
    if not CONTRACT_PATH.exists():
        pytest.skip(f"no contract at {CONTRACT_PATH}")
    return build_schema(CONTRACT_PATH.read_text())


def test_schema_contains_the_contract(contract: GraphQLSchema) -> None:
    assert _mismatches(contract, our_schema._schema) == []


def test_not_yet_lists_only_what_is_really_missing(contract: GraphQLSchema) -> None:
    ours = our_schema._schema
    present = set()
    for label in NOT_YET:
        type_name, _, field_name = label.partition(".")
        found = ours.type_map.get(type_name)
        if found is not None and (not field_name or field_name in getattr(found, "fields", {})):
            present.add(label)
    assert present == set(), "remove these from NOT_YET"
