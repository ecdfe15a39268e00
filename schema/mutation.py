"""Root mutation: each resolver states who may call it, then calls one domain function."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.types.accounts import AuthPayload, Me, Registration, calendar_url, session_of
from schema.types.agenda import Session
from schema.types.directory import Exhibitor
from server.auth import signin
from server.domain import people, plans


def _client_address(info: Info) -> str:
    client = info.context.request.client
    return client.host if client is not None else "unknown"


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def request_sign_in_code(self, info: Info, email: str) -> bool:
        await signin.request_sign_in_code(
            info.context.runtime.auth, email, info.context.clock.now()
        )
        return True

    @strawberry.mutation
    async def sign_in(self, info: Info, email: str, code: str) -> AuthPayload:
        done = await signin.sign_in(
            info.context.runtime.auth, email, code, info.context.clock.now()
        )
        return AuthPayload(token=done.token, me=Me.from_row(done.person))

    @strawberry.mutation
    async def sign_in_with_badge(self, info: Info, badge_code: str) -> AuthPayload:
        done = await signin.sign_in_with_badge(
            info.context.runtime.auth, badge_code, _client_address(info), info.context.clock.now()
        )
        return AuthPayload(token=done.token, me=Me.from_row(done.person))

    @strawberry.mutation
    async def sign_out(self, info: Info) -> bool:
        viewer = info.context.signed_in()
        await signin.sign_out(info.context.runtime.auth, viewer, info.context.clock.now())
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
        return Session.from_row(await plans.bookmark(info.context.db, viewer.id, session_id))

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
        done = await plans.cancel_registration(info.context.db, viewer.id, session_id)
        return done.cancelled

    @strawberry.mutation
    async def follow_exhibitor(self, info: Info, exhibitor_id: strawberry.ID) -> Exhibitor:
        viewer = info.context.signed_in()
        return Exhibitor.from_row(await plans.follow(info.context.db, viewer.id, exhibitor_id))

    @strawberry.mutation
    async def unfollow_exhibitor(self, info: Info, exhibitor_id: strawberry.ID) -> Exhibitor:
        viewer = info.context.signed_in()
        return Exhibitor.from_row(await plans.unfollow(info.context.db, viewer.id, exhibitor_id))
