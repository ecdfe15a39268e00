"""Sessions a schedule places in a "room" that is a stand of the fair's floor plan.

frab and c3voc know rooms only, so Salon's exports put a demo at a stand in a "room"
named "Stand A101" whose GUID is the booth's (source_ids.booth_room). Read back into
this fair, such a room is that stand, not a new room beside it: the session is at the
booth, as it was. A fair without that stand on its plan (an empty database) keeps the
room as a room, which exports under the same name again. A room of the fair that bears
the name stays the room.
"""

from __future__ import annotations

from dataclasses import replace

from server.domain.imports.aliases import fold
from server.domain.imports.current import Current
from server.domain.imports.model import ImportedFair
from server.domain.source_ids import booth_code_of, guid_of


def place_at_stands(fair: ImportedFair, current: Current) -> ImportedFair:
    by_code = current.booth_by_code()
    by_guid = {guid_of("booth", b.id): b for b in current.booths.values()}
    room_names = {fold(r.name) for r in current.rooms.values()}
    stands: dict[str, str] = {}  # the file's room id → the booth's code
    for room in fair.rooms:
        if room.id in current.rooms or fold(room.name) in room_names:
            continue
        code = booth_code_of(room.name)
        booth = by_guid.get(room.id) or (by_code.get(code.upper()) if code else None)
        if booth is not None:
            stands[room.id] = booth.code
    if not stands:
        return fair
    return replace(
        fair,
        rooms=tuple(r for r in fair.rooms if r.id not in stands),
        sessions=tuple(
            replace(s, room_id=None, booth_code=stands[s.room_id]) if s.room_id in stands else s
            for s in fair.sessions
        ),
    )
