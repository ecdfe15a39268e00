"""GraphQL types of the fair's directory: exhibitors, speakers, search results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.types.agenda import PageInfo, Session
from schema.types.enums import Lang, pick_optional
from schema.visibility import PUBLIC, VIEWER
from server.domain.directory import ExhibitorRow, SpeakerRow

if TYPE_CHECKING:
    from schema.types.venue import Booth


@strawberry.type
class Speaker:
    id: strawberry.ID = strawberry.field(metadata=PUBLIC)
    name: str = strawberry.field(metadata=PUBLIC)
    organisation: str | None = strawberry.field(metadata=PUBLIC)
    job_title: str | None = strawberry.field(metadata=PUBLIC)
    row: strawberry.Private[SpeakerRow]

    @classmethod
    def from_row(cls, row: SpeakerRow) -> Speaker:
        return cls(
            id=strawberry.ID(row.id),
            name=row.name,
            organisation=row.organisation,
            job_title=row.job_title,
            row=row,
        )

    @strawberry.field(metadata=PUBLIC)
    def bio(self, info: Info, lang: Lang | None = None) -> str | None:
        return pick_optional(info.context.text_lang(lang), self.row.bio_fr, self.row.bio_en)

    @strawberry.field(metadata=PUBLIC)
    async def sessions(self, info: Info) -> list[Session]:
        rows = await info.context.loaders.sessions_of_speaker.load(self.row.id)
        return [Session.from_row(r) for r in rows]


@strawberry.type
class Exhibitor:
    id: strawberry.ID = strawberry.field(metadata=PUBLIC)
    name: str = strawberry.field(metadata=PUBLIC)
    country: str = strawberry.field(description="ISO 3166-1 alpha-2.", metadata=PUBLIC)
    sectors: list[str] = strawberry.field(metadata=PUBLIC)
    website: str | None = strawberry.field(metadata=PUBLIC)
    row: strawberry.Private[ExhibitorRow]

    @classmethod
    def from_row(cls, row: ExhibitorRow) -> Exhibitor:
        return cls(
            id=strawberry.ID(row.id),
            name=row.name,
            country=row.country,
            sectors=row.sectors,
            website=row.website,
            row=row,
        )

    @strawberry.field(metadata=PUBLIC)
    def description(self, info: Info, lang: Lang | None = None) -> str | None:
        return pick_optional(
            info.context.text_lang(lang), self.row.description_fr, self.row.description_en
        )

    @strawberry.field(metadata=PUBLIC)
    async def booths(
        self, info: Info
    ) -> list[Annotated[Booth, strawberry.lazy("schema.types.venue")]]:
        from schema.types.venue import Booth

        rows = await info.context.loaders.booths_of_exhibitor.load(self.row.id)
        return [Booth.from_row(r) for r in rows]

    @strawberry.field(metadata=PUBLIC)
    async def demos(self, info: Info) -> list[Session]:
        rows = await info.context.loaders.demos_of_exhibitor.load(self.row.id)
        return [Session.from_row(r) for r in rows]

    @strawberry.field(metadata=VIEWER)
    async def viewer_follows(self, info: Info) -> bool:
        loader = info.context.loaders.viewer_follows
        return False if loader is None else await loader.load(self.row.id)


@strawberry.type
class SpeakerConnection:
    nodes: list[Speaker] = strawberry.field(metadata=PUBLIC)
    page_info: PageInfo = strawberry.field(metadata=PUBLIC)
    total_count: int = strawberry.field(metadata=PUBLIC)


@strawberry.type
class ExhibitorConnection:
    nodes: list[Exhibitor] = strawberry.field(metadata=PUBLIC)
    page_info: PageInfo = strawberry.field(metadata=PUBLIC)
    total_count: int = strawberry.field(metadata=PUBLIC)


@strawberry.input
class ExhibitorFilter:
    sectors: list[str] | None = None
    countries: list[str] | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 country codes."
    )
    hall_id: strawberry.ID | None = None
    search: str | None = None


@strawberry.type
class SearchResult:
    sessions: list[Session] = strawberry.field(metadata=PUBLIC)
    exhibitors: list[Exhibitor] = strawberry.field(metadata=PUBLIC)
    speakers: list[Speaker] = strawberry.field(metadata=PUBLIC)
