"""The agenda version, read once for every request that asks at the same moment.

Every cacheable request keys the response cache by the agenda version, and reads it
from PostgreSQL so that a change committed before the request was sent is always seen
(read-your-writes, on any process). One statement per request was a third of a cached
read's CPU. Here the requests that ask while no read has been sent yet share one: the
first asker schedules the read, and everyone who asks before it is sent waits for it.
The statement is sent after the last of them asked, so its answer is at least as new as
what each of them would have read alone; a request that asks once the statement is on
its way waits for the next one instead (never for an answer that may predate it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class VersionReads:
    def __init__(self, read: Callable[[], Awaitable[int]]) -> None:
        self._read = read
        #: The answer for everyone who asked since the last statement was sent.
        self._next: asyncio.Future[int] | None = None
        #: Statements sent so far (tests and benchmarks count how many were shared).
        self.statements = 0
        #: The reads on their way (the loop keeps only weak references to its tasks).
        self._sending: set[asyncio.Task[None]] = set()

    async def current(self) -> int:
        """The agenda version as of no earlier than this call."""
        waiting = self._next
        if waiting is None:
            waiting = self._next = asyncio.get_running_loop().create_future()
            # A task's first step runs on the loop's next round: whoever asks meanwhile
            # (the other requests that arrived in the same read of the sockets) joins.
            task = asyncio.get_running_loop().create_task(self._send(waiting))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        # Shielded: one caller cancelled (its client went away) leaves the others' read.
        return await asyncio.shield(waiting)

    async def _send(self, answer: asyncio.Future[int]) -> None:
        self._next = None  # whoever asks from now on waits for a later statement
        self.statements += 1
        try:
            version = await self._read()
        except asyncio.CancelledError:
            answer.cancel()
            raise
        except Exception as error:
            answer.set_exception(error)
            answer.exception()  # retrieved: every asker may have gone meanwhile
        else:
            answer.set_result(version)
