"""The public exports over HTTP, beside GraphQL: /schedule.xml, /schedule.json,
/schedule.ics, /changes.atom and /exhibitors.csv (server/domain/exports).

No sign-in: they hold only what the public agenda shows. Every answer carries a strong
ETag and `public, no-cache`, so caches and calendar apps ask again each time and get a
304 while nothing changed; GZipMiddleware compresses the bodies for clients that ask.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from server.domain.errors import DomainError
from server.domain.exports.catalogue import NAMES, Exports
from server.domain.exports.programme import ExportTooLarge
from server.runtime import runtime_of

CACHE_CONTROL = "public, no-cache"
MEDIA_TYPES = {
    "schedule.xml": "application/xml; charset=utf-8",
    "schedule.json": "application/json",
    "schedule.ics": "text/calendar; charset=utf-8",
    "changes.atom": "application/atom+xml; charset=utf-8",
    "exhibitors.csv": "text/csv; charset=utf-8; header=present",
}
Endpoint = Callable[[Request], Awaitable[Response]]
#: A spreadsheet is saved, not shown in the browser.
DOWNLOADS = {"exhibitors.csv": 'attachment; filename="exhibitors.csv"'}


class Feeds:
    """One per app, holding that app's renderings."""

    def __init__(self, public_url: str) -> None:
        self.exports = Exports(public_url)

    def paths(self) -> list[tuple[str, Endpoint]]:
        """(path, endpoint) of every export, for the app's routes."""
        return [(f"/{name}", self._endpoint(name)) for name in NAMES]

    def _endpoint(self, name: str) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            return await self.answer(request, name)

        endpoint.__name__ = name.replace(".", "_")
        return endpoint

    async def answer(self, request: Request, name: str) -> Response:
        try:
            rendered = await self.exports.get(runtime_of(request).pool, name)
        except ExportTooLarge as too_large:
            return PlainTextResponse(f"{too_large.fr}\n{too_large.en}\n", status_code=503)
        except DomainError as refused:  # no fair loaded yet
            return PlainTextResponse(refused.message, status_code=404)
        headers = {"ETag": rendered.etag, "Cache-Control": CACHE_CONTROL}
        if matches(request.headers.get("if-none-match"), rendered.etag):
            # What the 200 would have said of caching, Vary included (RFC 9110, 15.4.5).
            return Response(status_code=304, headers={**headers, "Vary": "Accept-Encoding"})
        if name in DOWNLOADS:
            headers["Content-Disposition"] = DOWNLOADS[name]
        return Response(rendered.body, media_type=MEDIA_TYPES[name], headers=headers)


def matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110, 13.1.2): `*`, or a listed tag with or
    without W/."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags
