"""Every public export: how it is read, rendered and tagged, and its per-process cache.

A request costs one cheap statement (the agenda's version, and the notice log's last
cursor for the change log) while nothing changed; after a change, the first request
reads the rows in one snapshot and renders, and the others of the burst wait for it.
The ETag starts with the version the bytes show, like /venue.geojson's, then a digest
of the bytes: the same agenda gives the same tag in every process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from server.db.queries.exports import Stamp
from server.domain.exports import atom, c3voc_json, directory_csv, frab_xml, ics
from server.domain.exports.cache import SingleFlight
from server.domain.exports.frab import schedule_of
from server.domain.exports.programme import Programme, read_programme, stamp
from server.domain.plans import Pool

#: The exports by file name.
NAMES = ("schedule.xml", "schedule.json", "schedule.ics", "changes.atom", "exhibitors.csv")


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    #: A strong validator, quoted, for ETag / If-None-Match.
    etag: str


def tagged(body: bytes, version: str) -> Rendered:
    digest = hashlib.blake2b(body, digest_size=8).hexdigest()
    return Rendered(body=body, etag=f'"{version}-{digest}"')


class Exports:
    """One per app: the renderings of this process, for the server at `public_url`."""

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url
        self._programmes: SingleFlight[Programme] = SingleFlight()
        self._rendered: SingleFlight[Rendered] = SingleFlight()

    async def get(self, pool: Pool, name: str) -> Rendered:
        """The export `name` (one of NAMES) as the agenda is now."""
        if name not in NAMES:
            raise ValueError(f"there is no export {name!r}")
        now = await stamp(pool)
        key: tuple[object, ...] = (now.origin, now.version)
        if name == "changes.atom":
            # Notices are no agenda write: the log's last cursor is part of the key.
            key = (*key, now.latest_seq)
        return await self._rendered.get(name, key, self._maker(pool, name, key))

    def _maker(
        self, pool: Pool, name: str, key: tuple[object, ...]
    ) -> Callable[[], Awaitable[Rendered]]:
        async def make() -> Rendered:
            if name == "changes.atom":
                log = await atom.read_change_log(pool)
                return tagged(atom.render(log, self.public_url), _atom_version(log.stamp))
            if name == "exhibitors.csv":
                directory = await directory_csv.read_directory(pool)
                return tagged(directory_csv.render(directory), str(directory.stamp.version))
            # The three schedule formats share one snapshot of the programme.
            programme = await self._programmes.get(
                "programme", key[:2], lambda: read_programme(pool)
            )
            version = str(programme.stamp.version)
            if name == "schedule.ics":
                return tagged(ics.render(programme, self.public_url), version)
            schedule = schedule_of(programme, self.public_url)
            if name == "schedule.json":
                return tagged(c3voc_json.render(schedule), version)
            return tagged(frab_xml.render(schedule), version)

        return make


def _atom_version(of: Stamp) -> str:
    return f"{of.version}.{of.latest_seq}"
