"""What every resolver gets in `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from schema.loaders import Loaders
from schema.types.enums import Lang
from server.clock import Clock
from server.domain.viewer import Viewer, require_role, require_viewer
from server.runtime import Runtime
from server.settings import Settings


@dataclass(slots=True)
class Context:
    #: None when rendering a notice for a whole group of sockets.
    request: Request | WebSocket | None
    response: Response | WebSocket | None
    runtime: Runtime
    #: The signed-in person, None when anonymous (resolved once per request/socket).
    viewer: Viewer | None = None
    #: Default language of text fields when `lang` is not given (Accept-Language).
    lang: Lang = Lang.FR
    #: The websocket's connection_init payload (Strawberry fills it in).
    connection_params: object = None
    #: The pool this operation reads from: the read replica for a public query
    #: (schema/http.py decides), else None: the primary's.
    pool: asyncpg.Pool[asyncpg.Record] | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.renew_loaders()

    def renew_loaders(self) -> None:
        """Fresh DataLoaders (their caches must not outlive one operation)."""
        self.loaders = Loaders.for_operation(
            self.db, self.viewer.id if self.viewer is not None else None
        )

    @property
    def db(self) -> asyncpg.Pool[asyncpg.Record]:
        return self.pool if self.pool is not None else self.runtime.pool

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    def text_lang(self, lang: Lang | None) -> Lang:
        return lang or self.lang

    def signed_in(self) -> Viewer:
        """The viewer; UNAUTHENTICATED when anonymous."""
        return require_viewer(self.viewer)

    def with_role(self, *roles: str) -> Viewer:
        """The viewer holding one of `roles`; UNAUTHENTICATED or FORBIDDEN otherwise."""
        return require_role(self.viewer, *roles)


Info = StrawberryInfo[Context, Any]


def lang_from_header(accept_language: str | None) -> Lang:
    """EN when the client prefers English over French, else FR (the fair's language)."""
    if not accept_language:
        return Lang.FR
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("fr"):
            return Lang.FR
        if tag.startswith("en"):
            return Lang.EN
    return Lang.FR
