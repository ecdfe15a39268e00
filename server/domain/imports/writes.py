"""Writing a plan inside the import's transaction, in the order the foreign keys want,
and telling people what changed for them as `updateSession` and `cancelSession` do.

Rows are written in chunks (one statement each, so one agenda version each) to show
progress on a long file; a kind with nothing to write sends no statement at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from server.db.queries import imports as sql
from server.domain.changes import Told, tell_cancelled, tell_changed
from server.domain.imports.plan import Plan
from server.domain.imports.report import NoticeReport
from server.domain.wording import Text

T = TypeVar("T")
#: Rows per statement.
CHUNK = 5000
#: What a cancelled session's notice says, after its day and time.
OMITTED = Text(fr="retirée du programme", en="removed from the programme")

#: Told how many rows were written so far, out of how many.
Progress = Callable[[int, int], None]


class Writer:
    def __init__(self, conn: Any, plan: Plan, actor_id: int | None, now: datetime) -> None:
        self.conn = conn
        self.plan = plan
        self.actor_id = actor_id
        self.now = now
        self.done = 0
        self.progress: Progress = lambda done, total: None

    @property
    def total(self) -> int:
        plan = self.plan
        return (
            (plan.event is not None)
            + len(plan.tracks)
            + len(plan.rooms)
            + len(plan.speakers)
            + len(plan.exhibitors)
            + len(plan.booths)
            + len(plan.sessions)
            + len(plan.unlink)
            + len(plan.link)
            + len(plan.omitted_sessions)
            + len(plan.omitted_exhibitors)
            + len(plan.omitted_speakers)
        )

    def step(self, count: int = 1) -> None:
        self.done += count
        self.progress(self.done, self.total)

    async def chunked(
        self, write: Callable[[Any, Sequence[T]], Awaitable[object]], rows: Sequence[T]
    ) -> None:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            await write(self.conn, chunk)
            self.step(len(chunk))

    async def write(self, progress: Progress | None = None) -> None:
        if progress is not None:
            self.progress = progress
        plan, conn = self.plan, self.conn
        if plan.event is not None:
            await sql.save_event(conn, plan.event)
            self.step()
        await self.chunked(sql.save_tracks, plan.tracks)
        await self.chunked(sql.save_rooms, plan.rooms)
        kinds = plan.report.kinds
        new_speakers = set(kinds["speakers"].added)
        await self.chunked(sql.add_speakers, [r for r in plan.speakers if r.id in new_speakers])
        await self.chunked(
            sql.save_speakers, [r for r in plan.speakers if r.id not in new_speakers]
        )
        new_exhibitors = set(kinds["exhibitors"].added)
        await self.chunked(
            sql.add_exhibitors, [r for r in plan.exhibitors if r.id in new_exhibitors]
        )
        await self.chunked(
            sql.save_exhibitors, [r for r in plan.exhibitors if r.id not in new_exhibitors]
        )
        await self.chunked(sql.assign_booths, plan.booths)
        new_sessions = {after.id for before, after in plan.sessions if before is None}
        await self.chunked(sql.add_sessions, [a for b, a in plan.sessions if b is None])
        await self._changed_sessions()
        await self.chunked(sql.unlink_speakers, plan.unlink)
        await self.chunked(sql.add_links, [k for k in plan.link if k[0] in new_sessions])
        await self.chunked(sql.link_speakers, [k for k in plan.link if k[0] not in new_sessions])
        await self._omitted_sessions()
        await self._omitted_others()

    async def _changed_sessions(self) -> None:
        """Written over, and their people told what changed."""
        befores = {after.id: before for before, after in self.plan.sessions if before}
        rows = [after for before, after in self.plan.sessions if before]
        for start in range(0, len(rows), CHUNK):
            written = await sql.save_sessions(self.conn, rows[start : start + CHUNK])
            for after in sorted(written, key=lambda s: s.id):
                told = await tell_changed(
                    self.conn, self.actor_id, befores[after.id], after, self.now
                )
                self._told(told)
            self.step(len(written))

    async def _omitted_sessions(self) -> None:
        plan = self.plan
        report = plan.report.kinds["sessions"]
        omitted = plan.omitted_sessions
        if not omitted:
            return
        held = await sql.held_sessions(self.conn, omitted) if plan.report.prune else set(omitted)
        gone = [i for i in omitted if i not in held]
        live = [i for i in omitted if i in held and self._live(i)]
        report.kept.extend(i for i in omitted if i in held and not self._live(i))
        if live:
            cancelled = await sql.cancel_sessions(self.conn, live, OMITTED.fr, self.now)
            for after in cancelled:
                self._told(await tell_cancelled(self.conn, self.actor_id, after, OMITTED, self.now))
            report.cancelled.extend(s.id for s in cancelled)
        if gone:
            await sql.delete_sessions(self.conn, gone)
            report.deleted.extend(gone)
        self.step(len(omitted))

    def _live(self, session_id: str) -> bool:
        return session_id not in self.plan.cancelled_before

    async def _omitted_others(self) -> None:
        plan = self.plan
        for kind, omitted, held_of, delete in (
            ("exhibitors", plan.omitted_exhibitors, sql.held_exhibitors, sql.delete_exhibitors),
            ("speakers", plan.omitted_speakers, sql.held_speakers, sql.delete_speakers),
        ):
            if not omitted:
                continue
            report = plan.report.kinds[kind]
            held = await held_of(self.conn, omitted) if plan.report.prune else set(omitted)
            gone = [i for i in omitted if i not in held]
            if gone:
                await delete(self.conn, gone)
            report.deleted.extend(gone)
            report.kept.extend(i for i in omitted if i in held)
            self.step(len(omitted))

    def _told(self, told: Told | None) -> None:
        if told is not None:
            self.plan.report.notices.append(
                NoticeReport(told.kind, told.session_id, told.audience, told.text, told.promoted)
            )
