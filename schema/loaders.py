"""Per-operation DataLoaders: every nested field batches into one statement per kind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import cached_property
from typing import Any, Protocol, TypeAlias, TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

from server.domain import agenda, plans, venue
from server.domain import directory as exhibitors
from server.domain.agenda import SessionRow, TrackRow
from server.domain.directory import ExhibitorRow, SpeakerRow
from server.domain.meetings import plan as meeting_plan
from server.domain.meetings import profiles
from server.domain.meetings.plan import TableRow
from server.domain.meetings.profiles import ProfileRow
from server.domain.plans import RegistrationRow
from server.domain.venue import BoothRow, HallRow, RoomRow

#: What the loaders read through: the process's pool (`Context.db`).
Db: TypeAlias = "asyncpg.Pool[asyncpg.Record]"


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


RowT = TypeVar("RowT", bound=_HasId)
ItemT = TypeVar("ItemT")


def by_id(
    db: Db, fetch: Callable[[Db, Sequence[str]], Awaitable[list[RowT]]]
) -> DataLoader[str, RowT | None]:
    async def load(ids: list[str]) -> list[RowT | None]:
        found = {row.id: row for row in await fetch(db, ids)}
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def grouped(
    db: Db,
    fetch: Callable[[Db, Sequence[str]], Awaitable[list[Any]]],
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


class Loaders:
    """The DataLoaders of one operation, each made the first time a resolver needs it
    (most operations touch two or three of them)."""

    def __init__(self, db: Db, viewer_id: int | None) -> None:
        self._db = db
        self._viewer_id = viewer_id

    @classmethod
    def for_operation(cls, db: Db, viewer_id: int | None) -> Loaders:
        return cls(db, viewer_id)

    @cached_property
    def business_profile(self) -> DataLoader[int, ProfileRow | None]:
        db = self._db

        async def load(ids: list[int]) -> list[ProfileRow | None]:
            found = {p.id: p for p in await profiles.profiles_by_ids(db, ids)}
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def meeting_table(self) -> DataLoader[str, TableRow | None]:
        return by_id(self._db, meeting_plan.tables_by_ids)

    @cached_property
    def session(self) -> DataLoader[str, SessionRow | None]:
        return by_id(self._db, agenda.sessions_by_ids)

    @cached_property
    def track(self) -> DataLoader[str, TrackRow | None]:
        return by_id(self._db, agenda.tracks_by_ids)

    @cached_property
    def hall(self) -> DataLoader[str, HallRow | None]:
        return by_id(self._db, venue.halls_by_ids)

    @cached_property
    def room(self) -> DataLoader[str, RoomRow | None]:
        return by_id(self._db, venue.rooms_by_ids)

    @cached_property
    def booth(self) -> DataLoader[str, BoothRow | None]:
        return by_id(self._db, venue.booths_by_ids)

    @cached_property
    def exhibitor(self) -> DataLoader[str, ExhibitorRow | None]:
        return by_id(self._db, exhibitors.exhibitors_by_ids)

    @cached_property
    def speaker(self) -> DataLoader[str, SpeakerRow | None]:
        return by_id(self._db, exhibitors.speakers_by_ids)

    @cached_property
    def speaker_ids_of_session(self) -> DataLoader[str, list[str]]:
        return grouped(self._db, agenda.speaker_links_for_sessions, _pair)

    @cached_property
    def sessions_of_speaker(self) -> DataLoader[str, list[SessionRow]]:
        return grouped(self._db, agenda.sessions_for_speakers, _pair)

    @cached_property
    def demos_of_exhibitor(self) -> DataLoader[str, list[SessionRow]]:
        return grouped(self._db, agenda.demos_for_exhibitors, _keyed("exhibitor_id"))

    @cached_property
    def booths_of_exhibitor(self) -> DataLoader[str, list[BoothRow]]:
        return grouped(self._db, venue.booths_of_exhibitors, _keyed("exhibitor_id"))

    @cached_property
    def booths_in_hall(self) -> DataLoader[str, list[BoothRow]]:
        return grouped(self._db, venue.booths_in_halls, _keyed("hall_id"))

    @cached_property
    def rooms_in_hall(self) -> DataLoader[str, list[RoomRow]]:
        return grouped(self._db, venue.rooms_in_halls, _keyed("hall_id"))

    @cached_property
    def registered_count(self) -> DataLoader[str, int]:
        db = self._db
        return DataLoader(load_fn=lambda ids: _counts(db, ids))

    # The viewer's own plan; None when anonymous.

    @cached_property
    def viewer_bookmarked(self) -> DataLoader[str, bool] | None:
        db, viewer = self._db, self._viewer_id
        if viewer is None:
            return None
        return _membership(lambda ids: plans.bookmarked_among(db, viewer, ids))

    @cached_property
    def viewer_registration(self) -> DataLoader[str, RegistrationRow | None] | None:
        db, viewer = self._db, self._viewer_id
        if viewer is None:
            return None
        return by_key(lambda ids: plans.registrations_among(db, viewer, ids), "session_id")

    @cached_property
    def viewer_follows(self) -> DataLoader[str, bool] | None:
        db, viewer = self._db, self._viewer_id
        if viewer is None:
            return None
        return _membership(lambda ids: plans.followed_among(db, viewer, ids))


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


async def _counts(db: Db, ids: list[str]) -> list[int]:
    counts = await plans.registered_counts(db, ids)
    return [counts.get(i, 0) for i in ids]


def _pair(row: tuple[str, Any]) -> tuple[Hashable, Any]:
    return row


def _keyed(attribute: str) -> Callable[[Any], tuple[Hashable, Any]]:
    return lambda row: (getattr(row, attribute), row)


async def load_one(
    loader: DataLoader[str, RowT | None], key: str | None, wrap: Callable[[RowT], ItemT]
) -> ItemT | None:
    """The GraphQL object for `key` through `loader`; None for no key or no row."""
    if key is None:
        return None
    row = await loader.load(key)
    return None if row is None else wrap(row)
