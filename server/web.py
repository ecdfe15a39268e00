"""The attendee app (web/dist, built by `make web`), served at `/` from memory.

Every file is read and gzipped once when the app starts. Hashed assets are immutable
for a year; the pages, the manifest and the service worker are `no-cache`, so a new
deploy is seen at the next visit (and the app offers to reload). Any path that names
no file and no extension is a screen of the app: it gets index.html, so links to a
session or the map can be shared. Every answer carries a Content-Security-Policy
without inline scripts.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

log = logging.getLogger("salon")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
#: The embeddable agenda keeps its name for other sites' <script> tags: an hour.
EMBED = "public, max-age=3600"
MEDIA_TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript"}
#: Paths the server answers itself: never the app's index.html.
SERVER_PREFIXES = ("/graphql", "/calendar/", "/healthz", "/readyz", "/metrics", "/venue.geojson")


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str
    cache_control: str


def cache_control_for(path: str) -> str:
    if path.startswith("/assets/"):
        return IMMUTABLE
    if path.startswith("/embed/"):
        return EMBED
    return REVALIDATE


def media_type_for(path: Path) -> str:
    guessed = MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    return guessed or "application/octet-stream"


def load(root: Path) -> dict[str, StaticFile]:
    """Every file under `root`, by URL path; empty when the app was never built."""
    files: dict[str, StaticFile] = {}
    if not root.is_dir():
        return files
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue  # .built is make's stamp, not part of the app
        body = path.read_bytes()
        media_type = media_type_for(path)
        squeezed = gzip.compress(body, compresslevel=9, mtime=0)
        compressible = not media_type.startswith("image/png") and len(squeezed) < len(body)
        url = "/" + path.relative_to(root).as_posix()
        files[url] = StaticFile(
            body=body,
            gzipped=squeezed if compressible else None,
            media_type=media_type,
            etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            cache_control=cache_control_for(url),
        )
    return files


class WebApp:
    """The `/` route: a file of web/dist, or index.html for a screen's path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = load(root)
        if not self.files:
            log.warning("the attendee app is not built (no %s): run `make web`", root)

    def find(self, path: str) -> StaticFile | None:
        found = self.files.get(path)
        if found is not None:
            return found
        if path.startswith(SERVER_PREFIXES) or "." in path.rsplit("/", 1)[-1]:
            return None
        return self.files.get("/index.html")

    async def page(self, request: Request) -> Response:
        path = request.url.path
        found = self.find("/index.html" if path == "/" else path)
        if found is None:
            if not self.files and path == "/":
                return PlainTextResponse(
                    "The attendee app is not built: run `make web` (or `make run`).", 503
                )
            return PlainTextResponse("Not found", 404, headers=SECURITY_HEADERS)
        headers = {
            **SECURITY_HEADERS,
            "cache-control": found.cache_control,
            "etag": found.etag,
            "vary": "accept-encoding",
        }
        if path.startswith(("/embed/", "/assets/")):
            # Other sites load the embeddable agenda (and the chunks it imports) as
            # module scripts, which are fetched with CORS.
            headers["access-control-allow-origin"] = "*"
        if found.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        body = found.body
        if found.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body = found.gzipped
            headers["content-encoding"] = "gzip"
        if request.method == "HEAD":
            headers["content-length"] = str(len(body))
            return Response(status_code=200, headers=headers, media_type=found.media_type)
        return Response(body, headers=headers, media_type=found.media_type)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
