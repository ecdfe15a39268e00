"""Who may share a field's value, declared next to the field; private until declared.

Every field of every output type says what its value depends on, beyond the object it
is selected on, with Strawberry's own `metadata` parameter::

    name: str = strawberry.field(metadata=PUBLIC)

    @strawberry.field(metadata=VIEWER)
    async def viewer_follows(self, info: Info) -> bool: ...

- PUBLIC: anyone who reaches the object may see it, it is the same for all of them,
  and it changes only with the agenda version. Responses made only of PUBLIC fields
  are shared by everyone.
- VIEWER: depends on who asks, or only the viewer may see it; it changes only with the
  agenda version and the viewer's plan version. Such responses are cached per viewer
  (anonymous callers are one viewer). Whatever describes the signed-in person (`Me`,
  schedules, registrations) is VIEWER throughout, so that a new path to it stays
  private. A notice's fields are PUBLIC: who may see a notice is decided by the path to
  it (`Query.notices`, VOLATILE; the live routing by audience), not by its title.
- VOLATILE: changes with neither version (new notices, other people's registrations):
  a response selecting one is never cached.

A field with no declaration is never cached, and the websocket renderer renders it per
viewer: what it depends on is unknown, so neither a shared key nor a viewer's key can
be trusted to hold it (treating it as VIEWER would still share one answer among all
anonymous callers, and keep a value that moves with neither version).
tests/test_cache_safety.py fails on any undeclared field, so forgetting costs a red
test, never a leak.

Introspection (`__typename`, `__schema`, `__type` and the `__Type` family) is PUBLIC.
The fields of the Mutation and Subscription roots take no declaration: the response
cache keeps queries only, and a subscription's root value is the event being rendered.

The declaration lives in Strawberry's field metadata, not in a schema directive: the
SDL outside clients read is unchanged, and nothing runs when a field resolves (the
table below is built once per schema and a document's scope once per document).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from functools import lru_cache
from types import MappingProxyType

from graphql import GraphQLField, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

from schema.strawberry_seam import StrawberryField, strawberry_field

#: The metadata key of a declaration.
KEY = "salon.visibility"


class Visibility(Enum):
    """What a field's value depends on, beyond the object it is selected on."""

    PUBLIC = "public"
    VIEWER = "viewer"
    VOLATILE = "volatile"


#: Pass as `strawberry.field(metadata=...)`.
PUBLIC: Mapping[str, Visibility] = MappingProxyType({KEY: Visibility.PUBLIC})
VIEWER: Mapping[str, Visibility] = MappingProxyType({KEY: Visibility.VIEWER})
VOLATILE: Mapping[str, Visibility] = MappingProxyType({KEY: Visibility.VOLATILE})

#: (type, field) -> its declaration; a pair that is absent is undeclared.
Table = Mapping[tuple[str, str], Visibility]


def definition(field: GraphQLField) -> StrawberryField | None:
    """The StrawberryField a graphql-core field was built from.

    The one Strawberry internal the cache relies on (schema/strawberry_seam.py). Should
    that link go, every field reads as undeclared: nothing is cached (no leak), and
    tests/test_strawberry_seam.py and the schema walk in tests/test_cache_safety.py fail.
    """
    return strawberry_field(field)


def declared(field: GraphQLField) -> Visibility | None:
    """The declaration of a field, None if it has none."""
    strawberry_field = definition(field)
    found = None if strawberry_field is None else strawberry_field.metadata.get(KEY)
    return found if isinstance(found, Visibility) else None


def is_introspection(type_name: str, field_name: str) -> bool:
    return type_name.startswith("__") or field_name.startswith("__")


def exempt_roots(schema: GraphQLSchema) -> frozenset[str]:
    """Root types whose fields take no declaration (see the module's docstring)."""
    return frozenset(root.name for root in (schema.mutation_type, schema.subscription_type) if root)


@lru_cache(maxsize=16)
def table(schema: GraphQLSchema) -> Table:
    """Every declared (type, field) of the schema. A field of an interface takes the
    least shareable declaration among the types implementing it (undeclared if one of
    them is)."""
    found: dict[tuple[str, str], Visibility] = {}
    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType):
            for name, field in named.fields.items():
                visibility = declared(field)
                if visibility is not None:
                    found[named.name, name] = visibility
    order = list(Visibility)
    for named in schema.type_map.values():
        if isinstance(named, GraphQLInterfaceType):
            for name in named.fields:
                each = [found.get((t.name, name)) for t in schema.get_possible_types(named)]
                known = [v for v in each if v is not None]
                if known and len(known) == len(each):
                    found[named.name, name] = max(known, key=order.index)
    return MappingProxyType(found)


def undeclared(schema: GraphQLSchema) -> list[tuple[str, str]]:
    """Every (type, field) of an object type that needs a declaration and has none."""
    skip = exempt_roots(schema)
    declarations = table(schema)
    return sorted(
        (named.name, name)
        for named in schema.type_map.values()
        if isinstance(named, GraphQLObjectType) and named.name not in skip
        for name in named.fields
        if not is_introspection(named.name, name) and (named.name, name) not in declarations
    )
