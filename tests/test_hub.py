"""The hub's own promises, on the live server's real hub."""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from server.db.queries.notices import NoticeRow
from server.live.hub import Hub
from server.live.wire import LiveNotice
from server.settings import Settings
from tests.conftest import LiveServer

NOTICE = NoticeRow(
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


async def test_a_notice_seen_before_its_mutation_waits_for_it_is_still_handed_over(
    live: LiveServer,
) -> None:
    # The relay may sequence and publish a notice before the mutation that wrote it
    # gets to wait (a busy relay is awake already): it must still get its cursor.
    hub = live.runtime.hub
    notice = NOTICE
    hub.expect(notice.id)
    await hub.dispatch(LiveNotice(notice, ()))
    assert await hub.wait_for(notice.id, 1) == LiveNotice(notice, ())


async def test_one_groups_failure_or_departure_spares_the_others_and_the_hub(
    live: LiveServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Groups render concurrently: a group whose last socket closed meanwhile is
    skipped, a group whose rendering fails is logged, and everyone else still gets
    the notice; a malformed message from Redis never stops the hub."""

    async def renderer(group: Hashable, live_notice: LiveNotice) -> str | None:
        if group == "broken":
            raise RuntimeError("a rendering bug")
        return None if group == "gone" else '{"data":{"n":1}}'

    hub = Hub(
        settings.redis_url or "",
        live.runtime.pool,
        renderer=renderer,
        framer=lambda operation_id, payload: f"{operation_id}:{payload}",
    )
    got: dict[str, list[str]] = {"ok": [], "gone": [], "broken": []}
    for group, frames in got.items():

        async def send(frame: str, frames: list[str] = frames) -> None:
            frames.append(frame)

        hub.new_subscriber(
            person_id=None,
            roles=frozenset(),
            group=group,
            operation_id="1",
            send=send,
            on_overflow=lambda: None,
        ).go_live(0)
    notice = replace(NOTICE, id=-2, seq=hub.last_seq + 1, everyone=True)
    try:
        with caplog.at_level(logging.ERROR, logger="server.live.hub"):
            await hub.dispatch(LiveNotice(notice, ()))
            await hub._receive_safely(b"\x00 not a notice")
        assert got == {"ok": ['1:{"data":{"n":1}}'], "gone": [], "broken": []}
        assert [r.getMessage() for r in caplog.records] == [
            f"rendering notice {notice.seq} failed",
            "a notice could not be delivered; the hub goes on",
        ]
    finally:
        await hub.stop()
