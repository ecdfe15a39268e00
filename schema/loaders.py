"""Per-operation DataLoaders: every nested field batches into one statement per kind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from strawberry.dataloader import DataLoader

from server.db.queries import agenda, exhibitors, plans, venue
from server.db.queries.agenda import SessionRow, TrackRow
from server.db.queries.common import Executor
from server.db.queries.exhibitors import ExhibitorRow, SpeakerRow
from server.db.queries.plans import RegistrationRow
from server.db.queries.venue import BoothRow, HallRow, RoomRow


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


RowT = TypeVar("RowT", bound=_HasId)
ItemT = TypeVar("ItemT")


def by_id(
    db: Executor, fetch: Callable[[Executor, Sequence[str]], Awaitable[list[RowT]]]
) -> DataLoader[str, RowT | None]:
    async def load(ids: list[str]) -> list[RowT | None]:
        found = {row.id: row for row in await fetch(db, ids)}
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def grouped(
    db: Executor,
    fetch: Callable[[Executor, Sequence[str]], Awaitable[list[Any]]],
    split: Callable[[Any], tuple[Hashable, ItemT]],
) -> DataLoader[str, list[ItemT]]:
    """One list per key; `split` turns a fetched row into (key, item)."""

    async def load(keys: list[str]) -> list[list[ItemT]]:
        groups: dict[Hashable, list[ItemT]] = defaultdict(list)
        for row in await fetch(db, keys):
            key, item = split(row)
            groups[key].append(item)
        return [groups.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


@dataclass(slots=True)
class Loaders:
    session: DataLoader[str, SessionRow | None]
    track: DataLoader[str, TrackRow | None]
    hall: DataLoader[str, HallRow | None]
    room: DataLoader[str, RoomRow | None]
    booth: DataLoader[str, BoothRow | None]
    exhibitor: DataLoader[str, ExhibitorRow | None]
    speaker: DataLoader[str, SpeakerRow | None]
    speaker_ids_of_session: DataLoader[str, list[str]]
    sessions_of_speaker: DataLoader[str, list[SessionRow]]
    demos_of_exhibitor: DataLoader[str, list[SessionRow]]
    booths_of_exhibitor: DataLoader[str, list[BoothRow]]
    booths_in_hall: DataLoader[str, list[BoothRow]]
    rooms_in_hall: DataLoader[str, list[RoomRow]]
    registered_count: DataLoader[str, int]
    #: The viewer's own plan; None when anonymous.
    viewer_bookmarked: DataLoader[str, bool] | None
    viewer_registration: DataLoader[str, RegistrationRow | None] | None
    viewer_follows: DataLoader[str, bool] | None

    @classmethod
    def for_operation(cls, db: Executor, viewer_id: int | None) -> Loaders:
        return cls(
            session=by_id(db, agenda.sessions_by_ids),
            track=by_id(db, agenda.tracks_by_ids),
            hall=by_id(db, venue.halls_by_ids),
            room=by_id(db, venue.rooms_by_ids),
            booth=by_id(db, venue.booths_by_ids),
            exhibitor=by_id(db, exhibitors.exhibitors_by_ids),
            speaker=by_id(db, exhibitors.speakers_by_ids),
            speaker_ids_of_session=grouped(db, agenda.speaker_links_for_sessions, _pair),
            sessions_of_speaker=grouped(db, agenda.sessions_for_speakers, _pair),
            demos_of_exhibitor=grouped(db, agenda.demos_for_exhibitors, _keyed("exhibitor_id")),
            booths_of_exhibitor=grouped(db, venue.booths_of_exhibitors, _keyed("exhibitor_id")),
            booths_in_hall=grouped(db, venue.booths_in_halls, _keyed("hall_id")),
            rooms_in_hall=grouped(db, venue.rooms_in_halls, _keyed("hall_id")),
            registered_count=DataLoader(load_fn=lambda ids: _counts(db, ids)),
            viewer_bookmarked=None
            if viewer_id is None
            else _membership(lambda ids: plans.bookmarked_among(db, viewer_id, ids)),
            viewer_registration=None
            if viewer_id is None
            else by_key(lambda ids: plans.registrations_among(db, viewer_id, ids), "session_id"),
            viewer_follows=None
            if viewer_id is None
            else _membership(lambda ids: plans.followed_among(db, viewer_id, ids)),
        )


def by_key(
    fetch: Callable[[Sequence[str]], Awaitable[list[Any]]], attribute: str
) -> DataLoader[str, Any]:
    async def load(keys: list[str]) -> list[Any]:
        found = {getattr(row, attribute): row for row in await fetch(keys)}
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _membership(fetch: Callable[[Sequence[str]], Awaitable[set[str]]]) -> DataLoader[str, bool]:
    async def load(keys: list[str]) -> list[bool]:
        members = await fetch(keys)
        return [k in members for k in keys]

    return DataLoader(load_fn=load)


async def _counts(db: Executor, ids: list[str]) -> list[int]:
    counts = await plans.registered_counts(db, ids)
    return [counts.get(i, 0) for i in ids]


def _pair(row: tuple[str, Any]) -> tuple[Hashable, Any]:
    return row


def _keyed(attribute: str) -> Callable[[Any], tuple[Hashable, Any]]:
    return lambda row: (getattr(row, attribute), row)
