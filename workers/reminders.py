"""The reminder job: every round, `server.domain.reminders` writes the REMINDER and
DEMO_STARTING notices that are due (idempotent, safe with several workers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from server.clock import Clock
from server.domain import reminders


@dataclass(frozen=True, slots=True)
class ReminderJob:
    pool: asyncpg.Pool[asyncpg.Record]
    clock: Clock
    #: Bookmarked or registered sessions: minutes before the start.
    session_lead: timedelta = timedelta(minutes=10)
    #: Demos, for the exhibitor's followers: minutes before the start.
    demo_lead: timedelta = timedelta(minutes=10)

    async def round(self) -> int:
        """Remind whoever is due and not reminded yet; return how many notices."""
        return await reminders.remind_due(
            self.pool, self.clock.now(), session_lead=self.session_lead, demo_lead=self.demo_lead
        )
