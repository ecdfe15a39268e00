"""A key -> members index that stores a lone member as itself.

The hub indexes every signed-in socket by its person and by its token, and almost every
person has one socket at a time: a set for each (216 bytes empty, more than the rest of
the entry) would be most of what a signed-in idle socket costs beyond an anonymous one.
A set is made only when a second member arrives, and dropped back when one is left.
Members must be hashable and never themselves sets.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V", bound=Hashable)


class LoneIndex(Generic[K, V]):
    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[K, V | set[V]] = {}

    def add(self, key: K, member: V) -> None:
        current = self._entries.get(key)
        if current is None:
            self._entries[key] = member
        elif isinstance(current, set):
            current.add(member)
        elif current != member:
            self._entries[key] = {current, member}

    def discard(self, key: K, member: V) -> None:
        current = self._entries.get(key)
        if current is None:
            return
        if not isinstance(current, set):
            if current == member:
                del self._entries[key]
            return
        current.discard(member)
        if len(current) == 1:
            self._entries[key] = next(iter(current))

    def members(self, key: K) -> tuple[V, ...]:
        """A copy: the caller may add and discard while it walks them."""
        current = self._entries.get(key)
        if current is None:
            return ()
        return tuple(current) if isinstance(current, set) else (current,)

    def pop(self, key: K) -> tuple[V, ...]:
        members = self.members(key)
        self._entries.pop(key, None)
        return members

    def count(self, key: K) -> int:
        current = self._entries.get(key)
        if current is None:
            return 0
        return len(current) if isinstance(current, set) else 1

    def __iter__(self) -> Iterator[K]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
