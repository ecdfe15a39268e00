"""Opaque keyset cursors and page-size checks shared by every list."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import orjson

from server.domain.errors import bad_input

T = TypeVar("T")

MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    has_next: bool
    end_cursor: str | None


def make_page(rows: list[T], total: int, first: int, cursor_of: Callable[[T], str]) -> Page[T]:
    """A page from `first + 1` fetched rows: the extra row only says there is more."""
    items = rows[:first]
    end = cursor_of(items[-1]) if items else None
    return Page(items=items, total=total, has_next=len(rows) > first, end_cursor=end)


def check_first(first: int, maximum: int = MAX_PAGE_SIZE) -> int:
    if first < 0:
        raise bad_input(f"`first` cannot be negative (got {first}).")
    if first > maximum:
        raise bad_input(f"`first` can be at most {maximum} (got {first}); page with `after`.")
    return first


def encode_cursor(sort_key: str, item_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([sort_key, item_id])).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[str, str] | None:
    """(sort key, id) from a cursor made by `encode_cursor`; BAD_USER_INPUT otherwise."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        value = None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, str) for part in value)
        # A NUL inside the base64 gets past the edge's NUL check; PostgreSQL cannot take it.
        or any("\x00" in part for part in value)
    ):
        raise bad_input("`after` is not a cursor this list gave out; start again without it.")
    return value[0], value[1]
