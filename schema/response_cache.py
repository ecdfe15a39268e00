"""Cache of whole GraphQL responses, keyed by what can change them.

Sharing is an allow-list (schema/visibility.py): a query's response is shared by
everyone only when every field it selects is declared PUBLIC; one VIEWER field makes it
cached per viewer, under the viewer's plan version too (it grows at every change of
what `me` shows); one VOLATILE or undeclared field, and it is never cached. So a field
is private until declared otherwise, next to its definition.

A response is cached only under the agenda version read *before* it ran: data can only
be as new as or newer than its key, so a key never serves an older agenda. Any write
to the agenda bumps the version.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum

from graphql import (
    BREAK,
    SKIP,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_operation_ast,
    visit,
)

from schema.execution import CACHEABLE_DOCUMENT_BYTES, OperationRunner, Prepared
from schema.visibility import Table, Visibility, exempt_roots, is_introspection, table
from server.settings import Settings


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


class _Classifier(Visitor):
    """The least shareable declaration among the fields a document selects (None, an
    undeclared field, is the least; then VOLATILE, VIEWER, PUBLIC), and whether any is
    VIEWER. With `stop_early`, the visit stops at the first undeclared or VOLATILE field
    (nothing can make the answer more private); else it sees every field."""

    def __init__(
        self,
        type_info: TypeInfo,
        declarations: Table,
        skip: frozenset[str],
        stop_early: bool,
        prune: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        super().__init__()
        self.type_info = type_info
        self.declarations = declarations
        self.skip = skip
        self.stop_early = stop_early
        #: (type, field) pairs not looked at, nor anything selected under them.
        self.prune = prune
        self.worst: Visibility | None = Visibility.PUBLIC
        self.reads_viewer = False

    def enter_field(self, node: FieldNode, *_: object) -> object:
        parent = self.type_info.get_parent_type()
        name = node.name.value
        if parent is None:  # a fragment on an unknown type: the executor will say so
            found = None
        elif (parent.name, name) in self.prune:
            return SKIP
        elif is_introspection(parent.name, name) or parent.name in self.skip:
            return None
        else:
            found = self.declarations.get((parent.name, name))
        if found is None or found is Visibility.VOLATILE:
            if self.worst is not None:
                self.worst = found
            return BREAK if self.stop_early else None
        if found is Visibility.VIEWER:
            self.reads_viewer = True
            if self.worst is Visibility.PUBLIC:
                self.worst = found
        return None


def fragments(document: DocumentNode) -> list[FragmentDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]


def classify(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    skip: frozenset[str] = frozenset(),
) -> Visibility | None:
    """The least shareable declaration the chosen operation selects, None when it
    selects an undeclared field (fragments are all looked at, conservatively, never the
    other operations). Fields of the types named in `skip` are not looked at."""
    return _walk(schema, document, operation_name, skip, stop_early=True).worst


def _walk(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    skip: frozenset[str],
    *,
    stop_early: bool,
    prune: frozenset[tuple[str, str]] = frozenset(),
) -> _Classifier:
    operation = get_operation_ast(document, operation_name)
    classifier = _Classifier(TypeInfo(schema), table(schema), skip, stop_early, prune)
    for node in [operation, *fragments(document)]:
        if node is not None:
            visit(node, TypeInfoVisitor(classifier.type_info, classifier))
            if stop_early and classifier.worst in (None, Visibility.VOLATILE):
                break
    return classifier


def operation_name_of(prepared: Prepared) -> str | None:
    """The name that picks the prepared operation (None: it is the document's only one)."""
    name = prepared.definition.name
    return name.value if name is not None else None


#: A notice's meeting, shown to its two sides only: the one viewer field the attendee
#: app's subscription selects. For a notice about no meeting it is null for everyone.
NOTICE_MEETING = ("Notice", "meeting")


def reads_viewer_fields(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    besides: frozenset[tuple[str, str]] = frozenset(),
) -> bool:
    """Whether a subscription's selection may depend on who asks: a VIEWER field
    anywhere in it (a notice's meeting, shown to its two sides only, whatever it then
    selects), or an undeclared one. Its root field is not looked at: its value is the
    event being rendered. The fields in `besides`, and what is selected under them, are
    left out."""
    walked = _walk(
        schema, document, operation_name, exempt_roots(schema), stop_early=False, prune=besides
    )
    return walked.worst is None or walked.reads_viewer


def worst_besides(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    besides: frozenset[tuple[str, str]] = frozenset(),
) -> Visibility | None:
    """The least shareable declaration a subscription's selection reads, its root field
    and the fields in `besides` (with what is under them) left out."""
    return _walk(
        schema, document, operation_name, exempt_roots(schema), stop_early=True, prune=besides
    ).worst


def _entry_size(key: CacheKey, body: bytes) -> int:
    # The gzipped copy is made on first demand and is never larger than the body.
    return key.size + 2 * len(body)


#: Where a prepared operation keeps its scope (Prepared.memo).
_SCOPE = "response_cache.scope"


class ResponseCache:
    """Bounded by entries and by bytes; one response may take at most an eighth.

    A document's scope is worked out once, from the document `runner` prepared, and
    kept with it: the cache parses nothing and keeps no documents of its own."""

    def __init__(
        self,
        schema: GraphQLSchema,
        max_entries: int,
        max_bytes: int,
        runner: OperationRunner | None = None,
    ) -> None:
        if runner is not None and runner.schema is not schema:
            raise ValueError("the response cache and its runner must share one schema")
        #: Without one (a cache tried on its own), a runner with the default limits.
        self._runner = runner or OperationRunner(schema, Settings())
        self._schema = schema
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[CacheKey, CachedResponse] = OrderedDict()
        self._newest_version = 0

    @property
    def enabled(self) -> bool:
        return self._max_entries > 0 and self._max_bytes > 0

    @property
    def size_in_bytes(self) -> int:
        return self._bytes

    def scope(self, query: str, operation_name: str | None) -> Scope | None:
        """Who may share this operation's response; None: it is never cached (nor is
        a document the runner refuses, or one too big for it to keep)."""
        if len(query) > CACHEABLE_DOCUMENT_BYTES:
            return None
        prepared = self._runner.prepare(query, operation_name)
        if isinstance(prepared, list):
            return None  # the runner reports why
        return self.scope_of(prepared)

    def scope_of(self, prepared: Prepared) -> Scope | None:
        """The scope of a prepared operation (worked out on first demand)."""
        if _SCOPE not in prepared.memo:
            prepared.memo[_SCOPE] = self._work_out_scope(prepared)
        found = prepared.memo[_SCOPE]
        return found if isinstance(found, Scope) else None

    def _work_out_scope(self, prepared: Prepared) -> Scope | None:
        if prepared.operation is not OperationType.QUERY:
            return None
        found = classify(self._schema, prepared.document, operation_name_of(prepared))
        if found is None or found is Visibility.VOLATILE:
            return None
        return Scope.VIEWER if found is Visibility.VIEWER else Scope.EVERYONE

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
