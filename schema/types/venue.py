"""GraphQL types of the floor map: venue, halls, rooms, booths, points of interest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.loaders import load_one
from schema.scalars import GeoJSON
from schema.types.enums import Lang, PoiKind, pick
from schema.visibility import PUBLIC
from server.domain import venue as venue_domain
from server.domain.routing import Route as RouteModel
from server.domain.venue import BoothRow, HallRow, PoiRow, RoomRow

if TYPE_CHECKING:
    from schema.types.directory import Exhibitor


@strawberry.type
class Point:
    x: float = strawberry.field(metadata=PUBLIC)
    y: float = strawberry.field(metadata=PUBLIC)


@strawberry.type
class Hall:
    id: strawberry.ID = strawberry.field(metadata=PUBLIC)
    name: str = strawberry.field(metadata=PUBLIC)
    level: int = strawberry.field(metadata=PUBLIC)
    outline: GeoJSON = strawberry.field(metadata=PUBLIC)

    @classmethod
    def from_row(cls, row: HallRow) -> Hall:
        return cls(
            id=strawberry.ID(row.id), name=row.name, level=row.level, outline=GeoJSON(row.outline)
        )

    @strawberry.field(metadata=PUBLIC)
    async def booths(self, info: Info) -> list[Booth]:
        return [Booth.from_row(b) for b in await info.context.loaders.booths_in_hall.load(self.id)]

    @strawberry.field(metadata=PUBLIC)
    async def rooms(self, info: Info) -> list[Room]:
        return [Room.from_row(r) for r in await info.context.loaders.rooms_in_hall.load(self.id)]


@strawberry.type
class Room:
    id: strawberry.ID = strawberry.field(metadata=PUBLIC)
    name: str = strawberry.field(metadata=PUBLIC)
    capacity: int | None = strawberry.field(metadata=PUBLIC)
    center: Point | None = strawberry.field(metadata=PUBLIC)
    hall_id: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: RoomRow) -> Room:
        center = Point(x=row.x, y=row.y) if row.x is not None and row.y is not None else None
        return cls(
            id=strawberry.ID(row.id),
            name=row.name,
            capacity=row.capacity,
            center=center,
            hall_id=row.hall_id,
        )

    @strawberry.field(metadata=PUBLIC)
    async def hall(self, info: Info) -> Hall | None:
        return await load_one(info.context.loaders.hall, self.hall_id, Hall.from_row)


@strawberry.type
class Booth:
    id: strawberry.ID = strawberry.field(metadata=PUBLIC)
    code: str = strawberry.field(metadata=PUBLIC)
    outline: GeoJSON = strawberry.field(metadata=PUBLIC)
    center: Point = strawberry.field(metadata=PUBLIC)
    row: strawberry.Private[BoothRow]

    @classmethod
    def from_row(cls, row: BoothRow) -> Booth:
        return cls(
            id=strawberry.ID(row.id),
            code=row.code,
            outline=GeoJSON(row.outline),
            center=Point(x=row.x, y=row.y),
            row=row,
        )

    @strawberry.field(metadata=PUBLIC)
    async def hall(self, info: Info) -> Hall:
        row = await info.context.loaders.hall.load(self.row.hall_id)
        if row is None:  # booth.hall_id is a NOT NULL foreign key: cannot happen
            raise LookupError(f"booth {self.id} has no hall")
        return Hall.from_row(row)

    @strawberry.field(metadata=PUBLIC)
    async def exhibitor(
        self, info: Info
    ) -> Annotated[Exhibitor, strawberry.lazy("schema.types.directory")] | None:
        from schema.types.directory import Exhibitor

        return await load_one(
            info.context.loaders.exhibitor, self.row.exhibitor_id, Exhibitor.from_row
        )


@strawberry.type
class PointOfInterest:
    id: strawberry.ID = strawberry.field(metadata=PUBLIC)
    kind: PoiKind = strawberry.field(metadata=PUBLIC)
    location: Point = strawberry.field(metadata=PUBLIC)
    row: strawberry.Private[PoiRow]

    @classmethod
    def from_row(cls, row: PoiRow) -> PointOfInterest:
        return cls(
            id=strawberry.ID(row.id),
            kind=PoiKind(row.kind),
            location=Point(x=row.x, y=row.y),
            row=row,
        )

    @strawberry.field(metadata=PUBLIC)
    def name(self, info: Info, lang: Lang | None = None) -> str:
        return pick(info.context.text_lang(lang), self.row.name_fr, self.row.name_en)

    @strawberry.field(metadata=PUBLIC)
    async def hall(self, info: Info) -> Hall | None:
        return await load_one(info.context.loaders.hall, self.row.hall_id, Hall.from_row)


@strawberry.type
class Venue:
    name: str = strawberry.field(metadata=PUBLIC)
    address: str | None = strawberry.field(metadata=PUBLIC)

    @strawberry.field(metadata=PUBLIC)
    async def halls(self, info: Info) -> list[Hall]:
        return [Hall.from_row(h) for h in await venue_domain.halls(info.context.db)]

    @strawberry.field(metadata=PUBLIC)
    async def points_of_interest(
        self, info: Info, kinds: list[PoiKind] | None = None
    ) -> list[PointOfInterest]:
        wanted = [k.value for k in kinds] if kinds is not None else None
        return [
            PointOfInterest.from_row(p)
            for p in await venue_domain.points_of_interest(info.context.db, wanted)
        ]


@strawberry.type
class Route:
    distance_meters: float = strawberry.field(metadata=PUBLIC)
    walking_minutes: float = strawberry.field(metadata=PUBLIC)
    path: list[Point] = strawberry.field(metadata=PUBLIC)

    @classmethod
    def from_model(cls, model: RouteModel) -> Route:
        return cls(
            distance_meters=round(model.distance_meters, 1),
            walking_minutes=round(model.walking_minutes, 1),
            path=[Point(x=x, y=y) for x, y in model.points],
        )
