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
from server.settings import Settings


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    db: asyncpg.Pool[asyncpg.Record]
    settings: Settings
    clock: Clock
    #: Default language of text fields when `lang` is not given (Accept-Language).
    lang: Lang = Lang.FR
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders.for_operation(self.db)

    def text_lang(self, lang: Lang | None) -> Lang:
        return lang or self.lang


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
