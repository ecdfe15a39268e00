"""Reading a GraphQL request off HTTP: a JSON POST or a GET with `query`, one operation.

What is not such a request (the GraphiQL page, multipart uploads) reads as None and is
left to Strawberry's view; what is broken raises Malformed, answered with a 400 and a
GraphQL-shaped error (schema/http.py).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request

#: (query, operationName, variables)
RequestData = tuple[str, str | None, dict[str, Any] | None]


class Malformed(Exception):
    """The request is not a GraphQL request at all: 400, with a GraphQL-shaped error."""


def may_read_body_first(request: Request) -> bool:
    """Whether the body may be read before the token is checked: a JSON POST whose
    length is declared (never chunked, so BodyLimit cannot cut it short)."""
    headers = request.headers
    content_type = headers.get("content-type", "")
    return (
        request.method == "POST"
        and "content-length" in headers
        and "transfer-encoding" not in headers
        and "application/json" in content_type
        and not content_type.startswith("multipart/form-data")
    )


async def read_request(request: Request) -> RequestData | Malformed | None:
    """`request_data`, or the reason it is malformed (answered after the token)."""
    try:
        return await request_data(request)
    except Malformed as malformed:
        return malformed


def _json(raw: bytes | str, what: str) -> object:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Malformed(f"{what} is not valid JSON in UTF-8 (at most 1024 levels deep).") from None


async def request_data(request: Request) -> RequestData | None:
    """(query, operationName, variables) of a plain single-operation request; None
    for what Strawberry's view serves (the GraphiQL page, multipart uploads)."""
    if request.method == "GET":
        params = request.query_params
        if "query" not in params:
            return None
        raw_variables = params.get("variables")
        data: object = {
            "query": params.get("query"),
            "operationName": params.get("operationName"),
            "variables": _json(raw_variables, "`variables`") if raw_variables else None,
        }
    else:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            return None
        if "application/json" not in content_type:
            raise Malformed("Send GraphQL as JSON, with Content-Type: application/json.")
        data = _json(await read_body(request), "The body")
    if not isinstance(data, dict):
        raise Malformed('The body must be one JSON object: {"query": "…", "variables": {…}}.')
    query, operation_name, variables = (
        data.get("query"),
        data.get("operationName"),
        data.get("variables"),
    )
    if not isinstance(query, str):
        raise Malformed("`query` must be a string holding the GraphQL document.")
    if not isinstance(operation_name, str | None):
        raise Malformed("`operationName` must be a string or null.")
    if not isinstance(variables, dict | None):
        raise Malformed("`variables` must be a JSON object or null.")
    return query, operation_name, variables


async def read_body(request: Request) -> bytes:
    """The whole body, straight from `receive` (Starlette's `body()` goes through an
    async generator); a disconnect raises Starlette's ClientDisconnect, as there. Only
    for a body nothing else reads: a JSON operation's."""
    chunks: list[bytes] = []
    while True:
        message = await request.receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect
