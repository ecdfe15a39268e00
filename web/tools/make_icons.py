"""Draws the app's icons (committed under public/icons/): python3 tools/make_icons.py.

A ring and a hub on the fair's blue, drawn without any imaging library; the maskable
icon keeps its mark inside the central 80 % safe zone and paints to the edges. The
notification badge is the same mark in white on transparent: Android draws only a
badge's alpha, so a coloured icon there is a white square.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

BLUE = (11, 61, 145)
ORANGE = (242, 140, 40)
WHITE = (255, 255, 255)


def pixel(x: float, y: float, size: int, scale: float, rounded: bool) -> tuple[int, int, int, int]:
    c = size / 2
    r = ((x - c) ** 2 + (y - c) ** 2) ** 0.5 / (size / 2)  # 0 at the centre, 1 at the edge
    if rounded:
        corner = size * 0.18
        dx = max(corner - x, x - (size - corner), 0)
        dy = max(corner - y, y - (size - corner), 0)
        if (dx * dx + dy * dy) ** 0.5 > corner:
            return (0, 0, 0, 0)
    r /= scale
    if 0.50 <= r <= 0.66:
        return (*WHITE, 255)
    if r <= 0.26:
        return (*ORANGE, 255)
    return (*BLUE, 255)


def badge_pixel(x: float, y: float, size: int) -> tuple[int, int, int, int]:
    r = ((x - size / 2) ** 2 + (y - size / 2) ** 2) ** 0.5 / (size / 2)
    if 0.58 <= r <= 0.86 or r <= 0.34:  # the mark, filling the badge's small circle
        return (*WHITE, 255)
    return (0, 0, 0, 0)


def png(size: int, scale: float, rounded: bool, badge: bool = False) -> bytes:
    rows = bytearray()
    for y in range(size):
        rows.append(0)
        for x in range(size):
            if badge:
                rows.extend(badge_pixel(x + 0.5, y + 0.5, size))
            else:
                rows.extend(pixel(x + 0.5, y + 0.5, size, scale, rounded))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "public" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    (out / "icon-192.png").write_bytes(png(192, 1.0, rounded=True))
    (out / "icon-512.png").write_bytes(png(512, 1.0, rounded=True))
    (out / "icon-maskable-512.png").write_bytes(png(512, 0.75, rounded=False))
    (out / "apple-touch-icon-180.png").write_bytes(png(180, 0.85, rounded=False))
    (out / "badge-96.png").write_bytes(png(96, 1.0, rounded=False, badge=True))


if __name__ == "__main__":
    main()
