"""What graphql-transport-ws says a client message must look like, checked before
anything acts on it, and the websocket close codes Salon uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import OperationDefinitionNode

#: The protocol's: a message it does not allow (the reason says what).
BAD_REQUEST = 4400
#: The protocol's: subscribe before connection_ack.
UNAUTHORIZED = 4401
#: The protocol's (Strawberry's for a refused connection_init): the token is not, or
#: is no longer, valid: it was never issued, was signed out, or expired.
FORBIDDEN = 4403
#: The protocol's: an operation id already in use.
DUPLICATE_ID = 4409
#: The protocol's "too many": a second connection_init, or one socket too many for the
#: person or the client address.
TOO_MANY = 4429
#: "Try again later": a phone too slow for its notices reconnects with its cursor.
TOO_SLOW = 1013
#: Something failed on the server's side while handling a message.
INTERNAL = 1011

#: A close reason is at most 123 bytes (RFC 6455, 5.5.1).
MAX_REASON = 120


def reason(text: str) -> str:
    """`text` cut to fit a close frame."""
    encoded = text.encode()
    if len(encoded) <= MAX_REASON:
        return text
    return encoded[: MAX_REASON - 3].decode(errors="ignore") + "..."


@dataclass(frozen=True, slots=True)
class Oversize:
    """A message over SALON_WS_MAX_MESSAGE_BYTES, decoded only to answer it (the view's
    `decode_json` wraps it so)."""

    value: object


def over(text: str, limit: int) -> bool:
    """Whether `text` takes more than `limit` bytes in UTF-8 (encoded only when it may)."""
    if len(text) > limit:
        return True
    return len(text) * 4 > limit and len(text.encode()) > limit


def operation_id(message: Mapping[str, Any]) -> str | None:
    """The message's `id` when it is what the protocol wants: a non-empty string."""
    value = message.get("id")
    return value if isinstance(value, str) and value else None


def subscribe_problem(message: Mapping[str, Any]) -> str | None:
    """Why this `subscribe` message is not one the protocol allows; None when it is."""
    if operation_id(message) is None:
        return "Subscribe needs an `id`: a non-empty string"
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return "Subscribe needs a `payload` object"
    if not isinstance(payload.get("query"), str):
        return "`payload.query` must be a string"
    for key, kind, expected in (
        ("variables", dict, "an object"),
        ("operationName", str, "a string"),
        ("extensions", dict, "an object"),
    ):
        value = payload.get(key)
        if value is not None and not isinstance(value, kind):
            return f"`payload.{key}` must be {expected} or null"
    return None


def used_variables(
    definition: OperationDefinitionNode, variables: Mapping[str, Any]
) -> dict[str, Any]:
    """Only the variables the operation declares: nothing else is kept with it."""
    declared = {d.variable.name.value for d in definition.variable_definitions or ()}
    return {name: value for name, value in variables.items() if name in declared}


def decode(data: str | bytes, limit: int) -> object:
    """A client message, decoded (orjson: what HTTP bodies are decoded with too), and
    wrapped in Oversize when it takes more than `limit` bytes."""
    value = orjson.loads(data)
    big = over(data, limit) if isinstance(data, str) else len(data) > limit
    return Oversize(value) if big else value
