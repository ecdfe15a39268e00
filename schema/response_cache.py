"""Cache of whole GraphQL responses, keyed by what can change them.

A response is cached only when its operation is a query that reads nothing
viewer-specific (see VIEWER_FIELDS), and only under the agenda version read
*before* it ran: data can only be as new as or newer than its key, so a key
never serves an older agenda. Any write to the agenda bumps the version.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_operation_ast,
    parse,
    visit,
)

#: Fields whose value depends on who asks. A query selecting one is cached per viewer,
#: under the viewer's plan version too (it grows at every change of what `me` shows).
VIEWER_FIELDS = frozenset(
    {
        ("Query", "me"),
        ("Session", "viewerHasBookmarked"),
        ("Session", "viewerRegistration"),
        ("Exhibitor", "viewerFollows"),
    }
)

#: Fields that change with neither the agenda version nor the viewer's plan version
#: (new notices; other people's registrations). A query selecting one is never cached.
VOLATILE_FIELDS = frozenset({("Query", "notices"), ("Session", "seatsLeft")})


class Scope(Enum):
    """Who may share a cached response."""

    EVERYONE = "everyone"
    VIEWER = "viewer"


#: Smaller bodies are not worth compressing.
GZIP_MIN_BYTES = 500
#: A request whose document and variables together are larger is never cached: a key
#: is kept as long as its entry, and big keys are a way to fill memory.
MAX_KEY_BYTES = 8_192


@dataclass(frozen=True, slots=True)
class CacheKey:
    version: int
    query: str
    operation_name: str | None
    variables: bytes
    lang: str
    #: For Scope.VIEWER: whose response, at which plan version (None, 0 otherwise).
    viewer: int | None = None
    plan_version: int = 0

    @property
    def size(self) -> int:
        return len(self.query) + len(self.variables) + 200  # and the object itself


@dataclass(slots=True)
class CachedResponse:
    body: bytes
    etag: str
    _gzipped: bytes | None = field(default=None, repr=False)

    @property
    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


class _FieldFinder(Visitor):
    """Finds which of some (type, field) pairs a document selects."""

    def __init__(self, type_info: TypeInfo, wanted: frozenset[tuple[str, str]]) -> None:
        super().__init__()
        self.type_info = type_info
        self.wanted = wanted
        self.found: set[tuple[str, str]] = set()

    def enter_field(self, node: FieldNode, *_: object) -> None:
        parent = self.type_info.get_parent_type()
        if parent is not None and (parent.name, node.name.value) in self.wanted:
            self.found.add((parent.name, node.name.value))


def fragments(document: DocumentNode) -> list[FragmentDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]


def selected(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    wanted: frozenset[tuple[str, str]],
) -> set[tuple[str, str]]:
    """Which of `wanted` the chosen operation selects (fragments are all looked at,
    conservatively, never the other operations)."""
    operation = get_operation_ast(document, operation_name)
    finder = _FieldFinder(TypeInfo(schema), wanted)
    for node in [operation, *fragments(document)]:
        if node is not None:
            visit(node, TypeInfoVisitor(finder.type_info, finder))
    return finder.found


def reads_viewer_fields(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> bool:
    """Whether the operation selects a field whose value depends on who asks."""
    return bool(selected(schema, document, operation_name, VIEWER_FIELDS))


def _entry_size(key: CacheKey, body: bytes) -> int:
    # The gzipped copy is made on first demand and is never larger than the body.
    return key.size + 2 * len(body)


class ResponseCache:
    """Bounded by entries and by bytes; one response may take at most an eighth."""

    def __init__(self, schema: GraphQLSchema, max_entries: int, max_bytes: int) -> None:
        self._schema = schema
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[CacheKey, CachedResponse] = OrderedDict()
        self._newest_version = 0
        self.scope = lru_cache(maxsize=1024)(self._scope)

    @property
    def enabled(self) -> bool:
        return self._max_entries > 0 and self._max_bytes > 0

    @property
    def size_in_bytes(self) -> int:
        return self._bytes

    def _scope(self, query: str, operation_name: str | None) -> Scope | None:
        """Who may share this operation's response; None: it is never cached."""
        try:
            document = parse(query)
        except GraphQLError:
            return None  # let the executor report the syntax error
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        found = selected(self._schema, document, operation_name, VIEWER_FIELDS | VOLATILE_FIELDS)
        if found & VOLATILE_FIELDS:
            return None
        return Scope.VIEWER if found else Scope.EVERYONE

    def is_cacheable(self, query: str, operation_name: str | None) -> bool:
        """Shared by everyone (the check the public agenda relies on)."""
        return self.scope(query, operation_name) is Scope.EVERYONE

    def get(self, key: CacheKey) -> CachedResponse | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: CacheKey, body: bytes) -> CachedResponse:
        if key.version > self._newest_version:
            # The agenda moved on: entries of older versions can never be served again.
            self._newest_version = key.version
            for old in [k for k in self._entries if k.version < key.version]:
                self._remove(old)
        digest = hashlib.blake2b(body, digest_size=12).hexdigest()
        entry = CachedResponse(body=body, etag=f'"{key.version}-{digest}"')
        size = _entry_size(key, body)
        if key.version == self._newest_version and size <= self._max_bytes // 8:
            if key in self._entries:
                self._remove(key)
            self._entries[key] = entry
            self._bytes += size
            while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
                self._remove(next(iter(self._entries)))
        return entry

    def _remove(self, key: CacheKey) -> None:
        entry = self._entries.pop(key)
        self._bytes -= _entry_size(key, entry.body)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
