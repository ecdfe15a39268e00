"""Root subscription. Delivery itself lives in schema/live.py (operations) and
schema/live_connection.py (the socket): the websocket handler renders each notice once
per group of alike subscribers instead of once per phone."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from schema.context import Info
from schema.types.notices import Notice
from server.domain.errors import bad_input


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The viewer's live notices. With `after`, first replays every notice for "
        "the viewer after that cursor, oldest first, then streams new ones, in cursor order, "
        "with no gap and no repeat inside one subscription."
    )
    async def notices(
        self, info: Info, after: strawberry.ID | None = None
    ) -> AsyncGenerator[Notice, None]:
        # Only reached over transports other than graphql-transport-ws, which the
        # websocket handler serves itself.
        raise bad_input("Subscribe to notices over a graphql-transport-ws websocket.")
        yield  # pragma: no cover - makes this an async generator
