"""Every error leaves with an `extensions.code`; unexpected ones are masked and logged."""

from __future__ import annotations

import logging

from graphql.error import GraphQLError

from server import unavailable
from server.domain.errors import DomainError, ErrorCode
from server.request_id import current_request_id
from server.unavailable import is_unavailable

log = logging.getLogger("salon.graphql")

#: Not the client's fault; the message carries a request id to find the log line.
INTERNAL = "INTERNAL_SERVER_ERROR"


def give_code(error: GraphQLError) -> None:
    """Set the contract code on `error`, in place (Strawberry hands out the same
    objects it then serialises), masking anything unexpected."""
    original = error.original_error
    if isinstance(original, DomainError):
        error.message = original.message
        code = original.code.value
    elif is_unavailable(original):
        log.warning("dependency unavailable: %r", original)
        error.message = unavailable.MESSAGE
        error.original_error = None
        error.extensions = {"code": unavailable.CODE}
        return
    elif error.path is None:
        # Refused before execution: syntax, validation, variable coercion, limits.
        code = ErrorCode.BAD_USER_INPUT.value
    else:
        request_id = current_request_id()
        log.error(
            "unexpected error at %s",
            ".".join(map(str, error.path)),
            exc_info=original,
            extra={"request_id": request_id},
        )
        error.message = f"Something went wrong on our side (request {request_id}); try again."
        error.original_error = None
        error.extensions = {"code": INTERNAL, "requestId": request_id}
        return
    error.extensions = {**(error.extensions or {}), "code": code}
