"""GraphQL types of notices and of the inputs that produce them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.context import Info
from schema.loaders import load_one
from schema.types.agenda import Session
from schema.types.directory import Exhibitor
from schema.types.enums import Lang, NoticeKind, Priority, Role, pick
from schema.types.meetings import Meeting
from schema.visibility import PUBLIC, VIEWER
from server.domain.meetings import booking
from server.domain.notices import NoticeRow

#: The id of a notice the relay has not sequenced yet (a held announcement).
PENDING_PREFIX = "pending-"


@strawberry.type
class Notice:
    id: strawberry.ID = strawberry.field(
        description="Opaque cursor, ordered: a later notice has a later id.",
        metadata=PUBLIC,
    )
    kind: NoticeKind = strawberry.field(metadata=PUBLIC)
    priority: Priority = strawberry.field(metadata=PUBLIC)
    created_at: datetime = strawberry.field(metadata=PUBLIC)
    row: strawberry.Private[NoticeRow]

    @classmethod
    def from_row(cls, row: NoticeRow) -> Notice:
        return cls(
            id=strawberry.ID(str(row.seq) if row.seq is not None else f"{PENDING_PREFIX}{row.id}"),
            kind=NoticeKind(row.kind),
            priority=Priority(row.priority),
            created_at=row.send_at,
            row=row,
        )

    @strawberry.field(metadata=PUBLIC)
    def title(self, info: Info, lang: Lang | None = None) -> str:
        return pick(info.context.text_lang(lang), self.row.title_fr, self.row.title_en)

    @strawberry.field(metadata=PUBLIC)
    def body(self, info: Info, lang: Lang | None = None) -> str:
        return pick(info.context.text_lang(lang), self.row.body_fr, self.row.body_en)

    @strawberry.field(metadata=PUBLIC)
    async def session(self, info: Info) -> Session | None:
        return await load_one(info.context.loaders.session, self.row.session_id, Session.from_row)

    @strawberry.field(metadata=PUBLIC)
    async def exhibitor(self, info: Info) -> Exhibitor | None:
        return await load_one(
            info.context.loaders.exhibitor, self.row.exhibitor_id, Exhibitor.from_row
        )

    @strawberry.field(
        metadata=VIEWER,
        description="The meeting a MEETING_* notice is about (its sides only).",
    )
    async def meeting(self, info: Info) -> Meeting | None:
        if self.row.meeting_id is None or info.context.viewer is None:
            return None
        row = await booking.visible_meeting(
            info.context.db, info.context.viewer, self.row.meeting_id
        )
        return Meeting.from_row(row) if row else None


@strawberry.input
class SessionChangeInput:
    room_id: strawberry.ID | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    title: str | None = None
    capacity: int | None = None
    note: str | None = strawberry.field(default=None, description="Shown to the people notified.")


@strawberry.input
class AudienceInput:
    everyone: bool | None = None
    roles: list[Role] | None = None
    session_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="People who bookmarked or registered for these sessions, and their speakers.",
    )
    exhibitor_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Followers and staff of these exhibitors."
    )
    user_ids: list[strawberry.ID] | None = None


@strawberry.input
class AnnouncementInput:
    title: str
    body: str
    priority: Priority | None = Priority.NORMAL
    audience: AudienceInput
    send_at: datetime | None = None
    title_en: str | None = strawberry.field(default=None, description="English title, if any.")
    body_en: str | None = strawberry.field(default=None, description="English body, if any.")


@strawberry.input
class DemoInput:
    exhibitor_id: strawberry.ID
    title: str
    starts_at: datetime
    ends_at: datetime
    booth_id: strawberry.ID | None = None
