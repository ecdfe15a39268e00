"""The contract's enums. Values equal names, as stored in the database."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class Lang(Enum):
    FR = "FR"
    EN = "EN"


@strawberry.enum
class Role(Enum):
    ATTENDEE = "ATTENDEE"
    SPEAKER = "SPEAKER"
    EXHIBITOR = "EXHIBITOR"
    ORGANISER = "ORGANISER"


@strawberry.enum
class SessionKind(Enum):
    KEYNOTE = "KEYNOTE"
    CONFERENCE = "CONFERENCE"
    PANEL = "PANEL"
    WORKSHOP = "WORKSHOP"
    DEMO = "DEMO"
    B2B = "B2B"
    CEREMONY = "CEREMONY"
    OTHER = "OTHER"


@strawberry.enum
class SessionStatus(Enum):
    SCHEDULED = "SCHEDULED"
    CHANGED = "CHANGED"
    CANCELLED = "CANCELLED"


@strawberry.enum
class PoiKind(Enum):
    ENTRANCE = "ENTRANCE"
    INFO_DESK = "INFO_DESK"
    FOOD = "FOOD"
    TOILETS = "TOILETS"
    PRAYER_ROOM = "PRAYER_ROOM"
    FIRST_AID = "FIRST_AID"
    SAFETY_ZONE = "SAFETY_ZONE"
    STARTUP_ZONE = "STARTUP_ZONE"
    B2B_AREA = "B2B_AREA"
    PARKING = "PARKING"
    OTHER = "OTHER"


def pick(lang: Lang, fr: str, en: str | None) -> str:
    """The text in `lang`, falling back to French where no translation exists."""
    return en if lang is Lang.EN and en else fr


def pick_optional(lang: Lang, fr: str | None, en: str | None) -> str | None:
    return en if lang is Lang.EN and en else fr


@strawberry.enum
class RegistrationStatus(Enum):
    REGISTERED = "REGISTERED"
    WAITLISTED = "WAITLISTED"


@strawberry.enum
class ConflictKind(Enum):
    """Why two sessions of a schedule cannot both be attended."""

    OVERLAP = "OVERLAP"
    TOO_FAR_TO_WALK = "TOO_FAR_TO_WALK"


@strawberry.enum
class NoticeKind(Enum):
    ANNOUNCEMENT = "ANNOUNCEMENT"
    SESSION_CHANGED = "SESSION_CHANGED"
    SESSION_CANCELLED = "SESSION_CANCELLED"
    DEMO_STARTING = "DEMO_STARTING"
    REMINDER = "REMINDER"
    WAITLIST_PROMOTED = "WAITLIST_PROMOTED"
    #: An exhibitor announced a new demo (sent to its followers).
    DEMO_SCHEDULED = "DEMO_SCHEDULED"
    MEETING_REQUESTED = "MEETING_REQUESTED"
    MEETING_ACCEPTED = "MEETING_ACCEPTED"
    MEETING_DECLINED = "MEETING_DECLINED"
    MEETING_CANCELLED = "MEETING_CANCELLED"
    MEETING_REMINDER = "MEETING_REMINDER"


@strawberry.enum
class Priority(Enum):
    NORMAL = "NORMAL"
    URGENT = "URGENT"
