"""The attendee app is served by Salon itself: hashed assets immutable, pages and the
service worker revalidated, gzip, a Content-Security-Policy with no inline script, and
index.html for every screen's path (so links to a session can be shared)."""

from __future__ import annotations

import gzip
import json
import re
import struct
import zlib

import httpx
import pytest

from server.settings import REPO_ROOT
from server.web import CONTENT_SECURITY_POLICY
from tests.conftest import LiveServer

DIST = REPO_ROOT / "web" / "dist"


@pytest.fixture(scope="module")
def built() -> None:
    if not (DIST / "index.html").is_file():
        pytest.fail("the app is not built: run `make web` (make test does)")


def asset_paths() -> list[str]:
    return sorted("/" + p.relative_to(DIST).as_posix() for p in (DIST / "assets").iterdir())


@pytest.mark.usefixtures("built")
async def test_index_is_revalidated_and_has_a_strict_policy(http: httpx.AsyncClient) -> None:
    response = await http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.text == (DIST / "index.html").read_text()
    # No inline script: every <script> has a src.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.text) == []


@pytest.mark.usefixtures("built")
@pytest.mark.parametrize("path", ["/session/12", "/map", "/exhibitor/3", "/schedule", "/console"])
async def test_every_screen_path_answers_the_app(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert (response.status_code, response.text) == (200, (DIST / "index.html").read_text())
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.usefixtures("built")
async def test_hashed_assets_are_immutable_and_gzipped(http: httpx.AsyncClient) -> None:
    scripts = [path for path in asset_paths() if path.endswith(".js")]
    assert scripts
    for path in scripts:
        response = await http.get(path, headers={"accept-encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-type"] == "text/javascript; charset=utf-8"
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["vary"] == "accept-encoding"
        assert response.content == (DIST / path.lstrip("/")).read_bytes()  # httpx inflates


@pytest.mark.usefixtures("built")
async def test_gzip_only_when_asked(live: LiveServer) -> None:
    path = next(p for p in asset_paths() if p.endswith(".js"))
    async with httpx.AsyncClient(base_url=live.url) as raw:
        plain = await raw.get(path, headers={"accept-encoding": "identity"})
        async with raw.stream("GET", path, headers={"accept-encoding": "gzip"}) as squeezed:
            sent = b"".join([chunk async for chunk in squeezed.aiter_raw()])
    assert "content-encoding" not in plain.headers
    assert plain.content == (DIST / path.lstrip("/")).read_bytes()
    assert squeezed.headers["content-encoding"] == "gzip"
    assert len(sent) < len(plain.content)
    assert gzip.decompress(sent) == plain.content


@pytest.mark.usefixtures("built")
@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/sw.js", "text/javascript; charset=utf-8"),
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/icons/icon-192.png", "image/png"),
    ],
)
async def test_service_worker_and_manifest_are_revalidated(
    http: httpx.AsyncClient, path: str, media_type: str
) -> None:
    response = await http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.usefixtures("built")
async def test_manifest_makes_the_app_installable(http: httpx.AsyncClient) -> None:
    manifest = json.loads((await http.get("/manifest.webmanifest")).text)
    assert {k: manifest[k] for k in ("lang", "start_url", "scope", "display", "short_name")} == {
        "lang": "fr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "short_name": "SISTEP 2026",
    }
    icons = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert icons == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert (await http.get(icon["src"])).status_code == 200


def rgba_pixels(png: bytes) -> tuple[int, list[tuple[int, ...]]]:
    """Width and pixels of an 8-bit RGBA PNG written with filter 0 (as make_icons.py does)."""
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert (png[:8], depth, colour) == (b"\x89PNG\r\n\x1a\n", 8, 6)
    data, at = b"", 8
    while at < len(png):
        (length,), kind = struct.unpack(">I", png[at : at + 4]), png[at + 4 : at + 8]
        if kind == b"IDAT":
            data += png[at + 8 : at + 8 + length]
        at += 12 + length
    raw, stride = zlib.decompress(data), 1 + 4 * width
    rows = [raw[y * stride : (y + 1) * stride] for y in range(height)]
    assert {row[0] for row in rows} == {0}
    return width, [tuple(row[1 + 4 * x : 5 + 4 * x]) for row in rows for x in range(width)]


@pytest.mark.usefixtures("built")
async def test_the_notification_badge_is_white_on_transparent(http: httpx.AsyncClient) -> None:
    """Android draws only a badge's alpha: any colour would show as a white square."""
    response = await http.get("/icons/badge-96.png")
    assert response.status_code == 200
    width, pixels = rgba_pixels(response.content)
    assert width == 96
    assert {p for p in pixels if p[3]} == {(255, 255, 255, 255)}
    assert 0.2 < sum(1 for p in pixels if p[3]) / len(pixels) < 0.8  # a mark, not a square


@pytest.mark.usefixtures("built")
async def test_etag_answers_304(http: httpx.AsyncClient) -> None:
    first = await http.get("/sw.js")
    again = await http.get("/sw.js", headers={"if-none-match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.usefixtures("built")
@pytest.mark.parametrize("path", ["/nope.js", "/assets/missing-123.css", "/icons/none.png"])
async def test_missing_files_are_404_not_the_app(http: httpx.AsyncClient, path: str) -> None:
    assert (await http.get(path)).status_code == 404


@pytest.mark.usefixtures("built")
async def test_head_answers_without_a_body(http: httpx.AsyncClient) -> None:
    response = await http.head("/")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


@pytest.mark.usefixtures("built")
async def test_the_api_is_unchanged_beside_the_app(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ event { city } }"})
    assert response.json() == {"data": {"event": {"city": "Casablanca"}}}
    assert (await http.get("/healthz")).json()["status"] == "ok"
    assert (await http.post("/session/1")).status_code == 405
