"""Root mutation: each resolver states who may call it, then calls one domain function."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.meeting_fields import MeetingMutations
from schema.types.accounts import AuthPayload, Me, Registration, calendar_url, session_of
from schema.types.agenda import Session
from schema.types.directory import Exhibitor
from schema.types.enums import Priority
from schema.types.leads import Lead, badge_lookups
from schema.types.notices import (
    PENDING_PREFIX,
    AnnouncementInput,
    DemoInput,
    Notice,
    SessionChangeInput,
)
from schema.types.push import PushSubscriptionInput, push_rules
from server.auth import signin
from server.client_address import client_address
from server.domain import announcements, changes, leads, people, plans, push_devices
from server.domain.announcements import Announcement, Demo
from server.domain.changes import SessionChange
from server.domain.errors import DomainError, ErrorCode
from server.domain.ids import parse_bigint_id
from server.domain.notices import Audience

#: How long broadcastAnnouncement waits for the relay to give the notice its cursor.
SEQUENCING_WAIT = 2.0


def _client_address(info: Info) -> str:
    return client_address(info.context.request)


@strawberry.type
class Mutation(MeetingMutations):
    @strawberry.mutation
    async def request_sign_in_code(self, info: Info, email: str) -> bool:
        await signin.request_sign_in_code(
            info.context.runtime.auth,
            signin.SignInLimits.from_settings(info.context.settings),
            email,
            _client_address(info),
            info.context.clock.now(),
        )
        return True

    @strawberry.mutation
    async def sign_in(self, info: Info, email: str, code: str) -> AuthPayload:
        done = await signin.sign_in(
            info.context.runtime.auth,
            signin.SignInLimits.from_settings(info.context.settings),
            email,
            code,
            _client_address(info),
            info.context.clock.now(),
        )
        return AuthPayload(token=done.token, me=Me.from_row(done.person))

    @strawberry.mutation
    async def sign_in_with_badge(self, info: Info, badge_code: str) -> AuthPayload:
        done = await signin.sign_in_with_badge(
            info.context.runtime.auth,
            signin.SignInLimits.from_settings(info.context.settings),
            badge_code,
            _client_address(info),
            info.context.clock.now(),
        )
        return AuthPayload(token=done.token, me=Me.from_row(done.person))

    @strawberry.mutation
    async def sign_out(self, info: Info) -> bool:
        viewer = info.context.signed_in()
        await signin.sign_out(info.context.runtime.auth, viewer, info.context.clock.now())
        await info.context.runtime.hub.revoke_token(viewer.token_hash)  # its sockets close
        return True

    @strawberry.mutation(
        description="A new secret calendar feed URL; the previous one stops working."
    )
    async def renew_calendar_url(self, info: Info) -> str:
        viewer = info.context.signed_in()
        token = await people.renew_calendar_token(info.context.db, viewer.id)
        return calendar_url(info.context.settings.public_url, token)

    @strawberry.mutation
    async def bookmark_session(self, info: Info, session_id: strawberry.ID) -> Session:
        viewer = info.context.signed_in()
        session = await plans.bookmark(info.context.db, viewer.id, session_id)
        # It is bookmarked now: `viewerHasBookmarked` needs no statement to say so.
        bookmarked = info.context.loaders.viewer_bookmarked
        if bookmarked is not None:
            bookmarked.prime(session.id, True, force=True)
        return Session.from_row(session)

    @strawberry.mutation
    async def remove_bookmark(self, info: Info, session_id: strawberry.ID) -> Session:
        viewer = info.context.signed_in()
        return Session.from_row(await plans.remove_bookmark(info.context.db, viewer.id, session_id))

    @strawberry.mutation
    async def register_for_session(self, info: Info, session_id: strawberry.ID) -> Registration:
        viewer = info.context.signed_in()
        row = await plans.register(info.context.db, viewer.id, session_id, info.context.clock.now())
        return Registration.from_row(await session_of(info, session_id), row)

    @strawberry.mutation
    async def cancel_registration(self, info: Info, session_id: strawberry.ID) -> bool:
        viewer = info.context.signed_in()
        return await plans.cancel_registration(
            info.context.db, viewer.id, session_id, info.context.clock.now()
        )

    @strawberry.mutation
    async def follow_exhibitor(self, info: Info, exhibitor_id: strawberry.ID) -> Exhibitor:
        viewer = info.context.signed_in()
        return Exhibitor.from_row(await plans.follow(info.context.db, viewer.id, exhibitor_id))

    @strawberry.mutation
    async def unfollow_exhibitor(self, info: Info, exhibitor_id: strawberry.ID) -> Exhibitor:
        viewer = info.context.signed_in()
        return Exhibitor.from_row(await plans.unfollow(info.context.db, viewer.id, exhibitor_id))

    @strawberry.mutation(
        description="Organisers only. Notifies bookmarkers, registrants and the session's speakers."
    )
    async def update_session(
        self,
        info: Info,
        id: strawberry.ID,
        input: SessionChangeInput,
    ) -> Session:
        actor = info.context.with_role("ORGANISER")
        change = SessionChange(
            room_id=input.room_id,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            title=input.title,
            capacity=input.capacity,
            note=input.note,
        )
        row = await changes.update_session(
            info.context.db, actor, id, change, info.context.clock.now()
        )
        return Session.from_row(row)

    @strawberry.mutation(description="Organisers only.")
    async def cancel_session(
        self,
        info: Info,
        id: strawberry.ID,
        reason: str,
    ) -> Session:
        actor = info.context.with_role("ORGANISER")
        row = await changes.cancel_session(
            info.context.db, actor, id, reason, info.context.clock.now()
        )
        return Session.from_row(row)

    @strawberry.mutation(
        description="Organisers only. With sendAt in the future, the notice is held until then."
    )
    async def broadcast_announcement(self, info: Info, input: AnnouncementInput) -> Notice:
        actor = info.context.with_role("ORGANISER")
        audience = input.audience
        announcement = Announcement(
            title=input.title,
            body=input.body,
            title_en=input.title_en,
            body_en=input.body_en,
            priority=(input.priority or Priority.NORMAL).value,
            send_at=input.send_at,
            audience=Audience(
                everyone=bool(audience.everyone),
                roles=[r.value for r in audience.roles or []],
                session_ids=list(audience.session_ids or []),
                exhibitor_ids=list(audience.exhibitor_ids or []),
                user_ids=[_person_id(u) for u in audience.user_ids or []],
            ),
        )
        hub = info.context.runtime.hub
        row = await announcements.broadcast(
            info.context.db,
            actor,
            announcement,
            info.context.clock.now(),
            on_written=hub.expect,
        )
        live = None
        if row.send_at <= info.context.clock.now():
            # Due now: give the relay a moment, so the answer carries the real cursor.
            live = await hub.wait_for(row.id, SEQUENCING_WAIT)
        else:
            hub.forget(row.id)
        row = live.notice if live is not None else row
        return Notice.from_row(row)

    @strawberry.mutation(
        description="Organisers only. Takes back a held announcement before it is sent."
    )
    async def withdraw_announcement(self, info: Info, id: strawberry.ID) -> bool:
        actor = info.context.with_role("ORGANISER")
        held = (
            parse_bigint_id(id.removeprefix(PENDING_PREFIX))
            if id.startswith(PENDING_PREFIX)
            else None
        )
        if held is None:
            raise DomainError(
                ErrorCode.CONFLICT,
                "Only an announcement not sent yet (its id starts with pending-) can be withdrawn.",
            )
        await announcements.withdraw(info.context.db, actor, held, info.context.clock.now())
        return True

    @strawberry.mutation(
        description="Organisers, or staff of the demo's exhibitor. Notifies the exhibitor's "
        "followers and the demo's bookmarkers."
    )
    async def schedule_demo(self, info: Info, input: DemoInput) -> Session:
        demo = Demo(
            exhibitor_id=input.exhibitor_id,
            title=input.title,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            booth_id=input.booth_id,
        )
        row = await announcements.schedule_demo(
            info.context.db, info.context.viewer, demo, info.context.clock.now()
        )
        return Session.from_row(row)

    @strawberry.mutation(
        description="Signed-in people only. Stores the browser's PushSubscription (pass "
        "`subscription.toJSON()` as it is). Registering the same endpoint again updates it; "
        "one person may have several devices."
    )
    async def register_push_subscription(self, info: Info, input: PushSubscriptionInput) -> bool:
        viewer = info.context.signed_in()
        await push_devices.register(
            info.context.db,
            viewer.id,
            input.device(info),
            push_rules(info),
            info.context.clock.now(),
        )
        return True

    @strawberry.mutation(description="Signed-in people only. False when it was not theirs.")
    async def unregister_push_subscription(self, info: Info, endpoint: str) -> bool:
        viewer = info.context.signed_in()
        return await push_devices.unregister(info.context.db, viewer.id, endpoint)

    @strawberry.mutation(
        description="For a service worker's pushsubscriptionchange: the browser replaced a "
        "subscription. No sign-in: holding the old subscription's auth secret proves it was "
        "this device's; the new one takes its place for the same person."
    )
    async def renew_push_subscription(
        self, info: Info, old_endpoint: str, old_auth: str, input: PushSubscriptionInput
    ) -> bool:
        await push_devices.renew(
            info.context.db,
            old_endpoint,
            old_auth,
            input.device(info),
            push_rules(info),
            info.context.clock.now(),
        )
        return True

    @strawberry.mutation(
        description="Exhibitor staff: scan an attendee's badge at the stand (with the "
        "attendee's consent). Scanned again: the same lead, its note replaced by `note`, "
        "kept when `note` is null, cleared when it is empty. NOT_FOUND for an unknown "
        "badge; RATE_LIMITED after too many."
    )
    async def capture_lead(self, info: Info, badge_code: str, note: str | None = None) -> Lead:
        row = await leads.capture_lead(
            info.context.db,
            badge_lookups(info),
            info.context.viewer,
            badge_code,
            note,
            info.context.clock.now(),
        )
        return Lead.from_row(row)


def _person_id(value: str) -> int:
    person_id = parse_bigint_id(value)
    if person_id is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"Nobody has the id {value!r}.")
    return person_id
