"""What the benchmark reads back: a 200's JSON, and where two answers differ."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx
import orjson

from bench.harness.machine import BenchError


def ok_json(response: httpx.Response) -> Any:
    """The parsed body of a 200 response; anything else makes the run void."""
    if response.status_code != 200:
        raise BenchError(f"{response.url} answered {response.status_code}: {response.text}")
    return orjson.loads(response.content)


def first_difference(plain: Any, graphql: Any, path: str = "$") -> str | None:
    """Where two parsed JSON documents first differ (a JSONPath-like path and both
    values, truncated), or None when they are equal."""
    if isinstance(plain, dict) and isinstance(graphql, dict) and plain.keys() == graphql.keys():
        pairs: Iterable[tuple[str, Any, Any]] = (
            (f"{path}.{k}", plain[k], graphql[k]) for k in plain
        )
    elif isinstance(plain, list) and isinstance(graphql, list) and len(plain) == len(graphql):
        pairs = (
            (f"{path}[{i}]", a, b) for i, (a, b) in enumerate(zip(plain, graphql, strict=True))
        )
    else:
        if plain == graphql:
            return None
        return f"{path}:\n  plain:   {str(plain)[:400]}\n  graphql: {str(graphql)[:400]}"
    for where, a, b in pairs:
        found = first_difference(a, b, where)
        if found is not None:
            return found
    return None
