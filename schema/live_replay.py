"""Rendered notices shared between replays.

When the venue's Wi-Fi comes back, thousands of phones reconnect at once and each
replays the notices it missed: mostly the same notices, selected by the same document.
Rendering one notice through GraphQL costs about as much as the whole rest of a
reconnect, so a process renders each (rendering group, notice) once and hands the same
payload text to every phone of that group that replays it.

Only selections of public fields are shared, under the agenda's version, by the rule the
HTTP response cache follows (schema/response_cache.py): a public field's value depends
on nothing but the agenda, so a payload rendered at one version is the payload at that
version for everyone who may see the notice (and the replay only reads notices the
viewer may see). A selection with a viewer or volatile field is rendered per replay.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from graphql import GraphQLSchema

from schema.execution import Prepared
from schema.response_cache import classify, operation_name_of
from schema.visibility import Visibility, exempt_roots

#: Where a prepared subscription keeps whether its payloads may be shared (Prepared.memo).
_SHAREABLE = "live.replay_shareable"
MAX_ENTRIES = 4096
#: A payload larger than this is not kept (a few kilobytes is what a notice renders to).
MAX_PAYLOAD_CHARS = 16_384

Key = tuple[Hashable, int, int]  # (rendering group, notice cursor, agenda version)


class ReplayPayloads:
    """A bounded LRU of payload texts, one per process (kept by its GroupRenderer)."""

    def __init__(self, schema: GraphQLSchema, max_entries: int = MAX_ENTRIES) -> None:
        self.schema = schema
        self.max_entries = max_entries
        self._entries: OrderedDict[Key, str] = OrderedDict()

    def shareable(self, prepared: Prepared) -> bool:
        """Whether the selection reads public fields only (worked out once per document)."""
        if _SHAREABLE not in prepared.memo:
            worst = classify(
                self.schema,
                prepared.document,
                operation_name_of(prepared),
                skip=exempt_roots(self.schema),
            )
            prepared.memo[_SHAREABLE] = worst is Visibility.PUBLIC
        return prepared.memo[_SHAREABLE] is True

    def get(self, key: Key) -> str | None:
        payload = self._entries.get(key)
        if payload is not None:
            self._entries.move_to_end(key)
        return payload

    def put(self, key: Key, payload: str) -> None:
        if len(payload) > MAX_PAYLOAD_CHARS:
            return
        self._entries[key] = payload
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
