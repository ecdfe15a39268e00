"""Operations on a graphql-transport-ws socket, with a fast path for the `notices`
subscription (the socket's life, from admission to close, is schema/live_connection.py).

Strawberry would execute the subscription's selection once per phone for every
notice. Here subscribers that would render a notice identically (same document,
variables, language, and, only when the selection reads viewer-specific fields,
same viewer) form a group: the hub renders once per group and every phone of the
group gets the same payload text, wrapped in its own `next` message.

Queries and mutations sent over the socket run through OperationRunner like HTTP ones
(one prepared-operation cache, one set of limits, one error coding): one `next`, then
`complete`, or an `error` when they were refused before running.

Every failed subscribe is answered with an `error` for its id, and a subscriber too
slow for its notices is cut off (the socket closes with 1013).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Hashable, Iterable
from typing import Any, cast

from graphql import (
    GraphQLError,
    OperationType,
)

from schema import live_messages as messages
from schema.context import Context
from schema.errors import give_code
from schema.execution import Prepared, body_of, ran
from schema.live_connection import LiveConnection
from schema.live_frames import next_frame
from schema.live_groups import GroupRenderer, Plan, plan_for, render
from schema.live_replay import Key
from schema.strawberry_seam import (
    Operation,
    SubscribeMessage,
    answer,
    answer_errors,
)
from server.domain import notices as notices_domain
from server.domain.agenda import agenda_version
from server.domain.errors import DomainError, ErrorCode
from server.domain.notices import NoticeRow
from server.live.metrics import METRICS
from server.live.subscriber import Subscriber
from server.live.transport import send_now_of
from server.live.wire import LiveNotice
from server.request_id import current_request_id

log = logging.getLogger("salon.live")

REPLAY_PAGE = 200


class NoticeSocket(LiveConnection):
    """graphql-transport-ws with the `notices` fast path. Strawberry runs the protocol's
    state machine (ping, complete, the operations' table); LiveConnection checks every
    message first, authenticates and counts the socket; this class runs every operation
    through OperationRunner and answers every failed subscribe with an `error` for its
    id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.runner = self._view.runner
        #: operation id -> its hub subscriber and rendering group
        self._live: dict[str, tuple[Subscriber, Hashable]] = {}

    # --- starting an operation --------------------------------------------------------

    async def on_subscribe(self, message: SubscribeMessage) -> None:
        problem = messages.subscribe_problem(message)
        if problem is not None:
            await self.refuse_message(problem)
            return
        operation_id = message["id"]
        if not await self._may_start(operation_id):
            return
        payload = message["payload"]
        # Thousands of phones send the same document: the operation keeps one copy.
        query, operation_name = sys.intern(payload["query"]), payload.get("operationName")
        variables = payload.get("variables") or {}
        prepared = self.runner.prepare(query, operation_name) if variables else None
        kept = (
            messages.used_variables(prepared.definition, variables)
            if isinstance(prepared, Prepared)
            else {}
        )
        # Strawberry's read loop holds the last message until the next one comes: for
        # an idle phone, its subscribe. Emptied, it no longer keeps the document's text.
        cast(dict[str, Any], payload).clear()
        await self.start_operation(
            {
                "id": operation_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": kept, "operationName": operation_name},
            }
        )

    async def _may_start(self, operation_id: str) -> bool:
        """The protocol's checks before an operation starts (closing or answering)."""
        if not self.acknowledged:
            await self._close(messages.UNAUTHORIZED, "Unauthorized")
            return False
        if self.holds_operation(operation_id):
            await self._close(
                messages.DUPLICATE_ID, f"Subscriber for {operation_id} already exists"
            )
            return False
        cap = self.operation_cap
        if cap is not None and self.operation_count() >= cap:
            await self._answer_error(
                operation_id,
                ErrorCode.RATE_LIMITED.value,
                f"Subscription limit reached: at most {cap} operations at once on one socket.",
            )
            return False
        return True

    async def _refuse_oversize(self, value: object) -> None:
        limit = self.context.settings.ws_max_message_bytes
        found = messages.operation_id(value) if isinstance(value, dict) else None
        if found is None or not isinstance(value, dict) or value.get("type") != "subscribe":
            await super()._refuse_oversize(value)
            return
        if await self._may_start(found):
            await self._answer_error(
                found,
                ErrorCode.BAD_USER_INPUT.value,
                f"This subscribe message is over the {limit} bytes a message may take; "
                "send less (the query and the variables it uses).",
            )

    async def _answer_error(self, operation_id: str, code: str, message: str) -> None:
        """An `error` for an operation that never started."""
        log.info(
            "subscribe refused: %s",
            message,
            extra={
                "request_id": current_request_id(),
                "operation_id": operation_id,
                "codes": [code],
            },
        )
        await self.send(
            {
                "id": operation_id,
                "type": "error",
                "payload": [{"message": message, "extensions": {"code": code}}],
            }
        )

    # --- operations -------------------------------------------------------------------

    async def on_operation(self, operation: Operation[Context, None]) -> None:
        with self._operation_running(operation.id):
            try:
                await self._run(operation)
                if operation.id in self._live:  # streaming on, fed by the hub
                    self.release_task(operation)
                    # Its plan read them (the cursor): not kept for the socket's life.
                    operation.variables = None
            except DomainError as refused:
                self._forget_live(operation.id)
                error = GraphQLError(refused.message, original_error=refused)
                give_code(error)
                await self._refuse(operation, [error])
            except Exception as unexpected:
                self._forget_live(operation.id)
                if self._ended:
                    return  # the socket was closed under it
                # With a path: give_code masks it as INTERNAL_SERVER_ERROR (or says
                # SERVICE_UNAVAILABLE) and logs it with the request id.
                error = GraphQLError(str(unexpected), path=["notices"], original_error=unexpected)
                give_code(error)
                await self._refuse(operation, [error])

    async def _run(self, operation: Operation[Context, None]) -> None:
        prepared = self.runner.prepare(operation.query, operation.operation_name)
        if isinstance(prepared, list):  # syntax, validation, limits: coded already
            await self._refuse(operation, prepared)
            return
        refused = self.runner.refusal(prepared, operation.variables)
        if refused is not None:  # NUL text, the cost with these variables: coded
            await self._refuse(operation, [refused])
            return
        if prepared.operation is not OperationType.SUBSCRIPTION:
            await self._answer(operation, prepared)
            return
        plan = plan_for(prepared, self.renderer, operation, self.context)
        if isinstance(plan, list):
            for error in plan:
                give_code(error)
            await self._refuse(operation, plan)
            return
        await self._stream(operation, plan)

    async def _answer(self, operation: Operation[Context, None], prepared: Prepared) -> None:
        """A query or mutation: executed as over HTTP; one `next` and `complete`, or
        an `error` when it was refused before it ran (its variables)."""
        self.context.renew_loaders()  # per operation, never per socket
        result = await self.runner.run(
            prepared,
            self.context,
            operation.variables,
            operation.operation_name,
            checked=True,
        )
        if not ran(result):
            await self._refuse(operation, list(result.errors or ()))
            return
        await answer(operation, body_of(result))

    async def _refuse(
        self, operation: Operation[Context, None], errors: list[GraphQLError]
    ) -> None:
        """The operation's `error` message (every error coded), and a log line."""
        codes = [(e.extensions or {}).get("code") for e in errors]
        serious = any(c in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE") for c in codes)
        log.log(
            logging.WARNING if serious else logging.INFO,
            "subscribe refused: %s",
            "; ".join(e.message for e in errors),
            extra={
                "request_id": current_request_id(),
                "operation_id": operation.id,
                "codes": codes,
            },
        )
        await answer_errors(operation, errors)

    async def _stream(self, operation: Operation[Context, None], plan: Plan) -> None:
        """Register with the hub, replay the log, then go live. Nothing waits here
        afterwards: the hub writes to the socket until the operation is cleaned up."""
        hub = self.hub
        viewer = self.context.viewer
        after = notices_domain.parse_cursor(plan.after)  # BAD_USER_INPUT before anything else
        group = self.renderer.join(plan, viewer, self.context.lang)
        # Register first, then read the log: nothing can fall between the two.
        subscriber = hub.new_subscriber(
            person_id=viewer.id if viewer else None,
            roles=_shared_roles(viewer.person.roles if viewer else ()),
            group=group,
            operation_id=operation.id,
            send=self.ws.send_text,
            on_overflow=self._cut_off,
        )
        # Broadcast frames go straight onto this socket when it can take them.
        subscriber.send_now = send_now_of(self.ws.scope)
        self._live[operation.id] = (subscriber, group)
        last = await self._replay(operation, plan, after) if plan.after is not None else 0
        # Without a cursor the stream starts now: whatever the hub saw last is history.
        subscriber.go_live(last if plan.after is not None else hub.last_seq)

    async def on_cleanup(self, operation_id: str) -> None:
        self._forget_live(operation_id)
        await self.drop_operation(operation_id)

    def _forget_live(self, operation_id: str) -> None:
        found = self._live.pop(operation_id, None)
        if found is not None:
            subscriber, group = found
            self.hub.remove(subscriber)
            self.renderer.leave(group)

    def _stop_live(self) -> None:
        for operation_id in list(self._live):
            self._forget_live(operation_id)

    async def _replay(self, operation: Operation[Context, None], plan: Plan, after: int) -> int:
        last = after
        #: The agenda version shared payloads are kept under, read on first need (most
        #: reconnects have nothing to replay): before the notice it is for is rendered,
        #: so a payload kept under it was rendered from an agenda at least this new.
        version: int | None = None
        while True:
            rows = await notices_domain.notices_for(
                self.context.db, self.context.viewer, str(last), REPLAY_PAGE
            )
            for row in rows:
                key = None
                if row.seq is not None and self.renderer.replays.shareable(
                    plan.prepared, row.meeting_id
                ):
                    if version is None:
                        version = await agenda_version(self.context.db)
                    key = (plan.shared_group, row.seq, version)
                payload = await self._replayed(plan, row, key)
                await self.ws.send_text(next_frame(operation.id, payload))
                METRICS.notices_delivered.inc()
                last = row.seq or last
            if len(rows) < REPLAY_PAGE:
                return last

    async def _replayed(self, plan: Plan, row: NoticeRow, key: Key | None) -> str:
        """The notice's payload for this plan: shared with an earlier replay of the same
        group at the same agenda version when `key` says so (schema/live_replay.py),
        else rendered for this socket."""
        replays = self.renderer.replays
        payload = replays.get(key) if key is not None else None
        if payload is None:
            payload = await render(self.runner, plan, _fresh(self.context), LiveNotice(row, ()))
            if key is not None:
                replays.put(key, payload)
        return payload

    def _cut_off(self) -> None:
        # Called from the hub's dispatch, which never waits: ending is immediate.
        self._end(messages.TOO_SLOW, "Too slow: reconnect with your last cursor")

    # --- what the handler reaches -----------------------------------------------------

    @property
    def renderer(self) -> GroupRenderer:
        renderer = self._view.renderer
        if renderer is None:
            raise RuntimeError("the view's live renderer starts with the app (start_live)")
        return renderer


#: Each distinct set of roles once, whatever the number of subscribers holding it.
_ROLE_SETS: dict[frozenset[str], frozenset[str]] = {}


def _shared_roles(roles: Iterable[str]) -> frozenset[str]:
    found = frozenset(roles)
    return _ROLE_SETS.setdefault(found, found)


def _fresh(context: Context) -> Context:
    """A context for one rendering: same viewer and language, new DataLoaders."""
    return Context(
        request=context.request,
        response=context.response,
        runtime=context.runtime,
        viewer=context.viewer,
        lang=context.lang,
    )
