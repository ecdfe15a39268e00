"""The hub's own promises, on the live server's real hub."""

from __future__ import annotations

from datetime import UTC, datetime

from server.db.queries.notices import NoticeRow
from server.live.wire import LiveNotice
from tests.conftest import LiveServer


async def test_a_notice_seen_before_its_mutation_waits_for_it_is_still_handed_over(
    live: LiveServer,
) -> None:
    # The relay may sequence and publish a notice before the mutation that wrote it
    # gets to wait (a busy relay is awake already): it must still get its cursor.
    hub = live.runtime.hub
    notice = NoticeRow(
        id=-1,  # no row has it: nobody is in its audience, and no cursor moves
        seq=0,
        kind="ANNOUNCEMENT",
        priority="NORMAL",
        title_fr="t",
        title_en=None,
        body_fr="b",
        body_en=None,
        session_id=None,
        exhibitor_id=None,
        everyone=False,
        roles=[],
        send_at=datetime.now(UTC),
    )
    hub.expect(notice.id)
    await hub.dispatch(LiveNotice(notice, ()))
    assert await hub.wait_for(notice.id, 1) == LiveNotice(notice, ())
