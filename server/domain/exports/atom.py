"""/changes.atom: the public change log as an RFC 4287 Atom feed.

The entries are the latest sequenced notices anyone may read (server/db/queries/
exports.py, `public_notices`): sessions moved, retimed, renamed or cancelled, demos
added, announcements to everyone. Each entry's title and summary are French (the feed's
xml:lang); its content holds the French text and the English one, each marked with its
xml:lang. Ids are tag: URIs of the notice's public cursor, which never changes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from xml.etree.ElementTree import Element, ElementTree, SubElement

from server import clock
from server.db.queries import agenda as agenda_sql
from server.db.queries import exports as sql
from server.db.queries.agenda import EventRow
from server.db.queries.exports import PublicNoticeRow, Stamp
from server.domain.errors import DomainError, ErrorCode
from server.domain.exports.frab import GENERATOR
from server.domain.exports.text import xml_text
from server.domain.ical import CALENDAR_NAME, UID_DOMAIN
from server.domain.plans import Pool

MAX_ENTRIES = 100
ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: tag: URIs (RFC 4151) under the domain calendar UIDs use; fixed forever.
TAG = f"tag:{UID_DOMAIN},2026:"
TITLE = {"fr": "changements du programme", "en": "programme changes"}
#: Each entry's category: the notice's kind, labelled in the feed's language.
CATEGORIES = {
    "SESSION_CHANGED": "Session modifiée",
    "SESSION_CANCELLED": "Session annulée",
    "DEMO_SCHEDULED": "Nouvelle démo",
    "ANNOUNCEMENT": "Annonce",
}


@dataclass(frozen=True, slots=True)
class ChangeLog:
    stamp: Stamp
    event: EventRow
    #: Newest first, at most MAX_ENTRIES.
    notices: list[PublicNoticeRow]


async def read_change_log(pool: Pool) -> ChangeLog:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        stamp = await sql.stamp(conn)
        event = await agenda_sql.event(conn)
        if event is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No fair is loaded yet: run `salon demo`.")
        notices = await sql.public_notices(conn, MAX_ENTRIES)
    return ChangeLog(stamp=stamp, event=event, notices=notices)


def render(log: ChangeLog, public_url: str) -> bytes:
    base = public_url.rstrip("/")
    feed = Element("feed", {"xmlns": ATOM, LANG: "fr"})
    _text(feed, "id", TAG + "changes")
    _text(feed, "title", f"{CALENDAR_NAME} — {TITLE['fr']}")
    _text(feed, "subtitle", f"{CALENDAR_NAME} — {TITLE['en']}", lang="en")
    # With nothing to tell yet, the feed is as old as the fair's first day.
    newest = log.notices[0].sequenced_at if log.notices else clock.day_span(log.event.starts_on)[0]
    _text(feed, "updated", _instant(newest))
    author = SubElement(feed, "author")
    _text(author, "name", CALENDAR_NAME)
    _text(author, "uri", base + "/")
    SubElement(feed, "link", rel="self", type="application/atom+xml", href=base + "/changes.atom")
    SubElement(feed, "link", rel="alternate", type="text/html", href=base + "/")
    SubElement(feed, "generator", version=GENERATOR[1]).text = GENERATOR[0]
    for notice in log.notices:
        _entry(feed, notice, base)
    buffer = io.BytesIO()
    ElementTree(feed).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue() + b"\n"


def _entry(feed: Element, notice: PublicNoticeRow, base: str) -> None:
    entry = SubElement(feed, "entry")
    _text(entry, "id", f"{TAG}notice/{notice.seq}")
    _text(entry, "title", notice.title_fr)
    when = _instant(notice.sequenced_at)
    _text(entry, "updated", when)
    _text(entry, "published", when)
    SubElement(entry, "category", term=notice.kind, label=CATEGORIES.get(notice.kind, notice.kind))
    path = f"/session/{quote(notice.session_id, safe='')}" if notice.session_id else "/notices"
    SubElement(entry, "link", rel="alternate", type="text/html", href=base + path)
    _text(entry, "summary", notice.body_fr)
    content = SubElement(entry, "content", type="xhtml")
    both = SubElement(content, "div", xmlns=XHTML)
    _language(both, "fr", notice.title_fr, notice.body_fr)
    if notice.title_en or notice.body_en:
        _language(both, "en", notice.title_en or notice.title_fr, notice.body_en or notice.body_fr)


def _language(parent: Element, lang: str, title: str, body: str) -> None:
    part = SubElement(parent, "div", {LANG: lang})
    SubElement(SubElement(part, "p"), "strong").text = xml_text(title)
    SubElement(part, "p").text = xml_text(body)


def _instant(at: datetime) -> str:
    return clock.in_fair_time(at).isoformat(timespec="seconds")


def _text(parent: Element, tag: str, value: str, lang: str | None = None) -> None:
    SubElement(parent, tag, {LANG: lang} if lang else {}).text = xml_text(value)
