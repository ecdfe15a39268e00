"""What an import did, or would do (a dry run): per kind of row, which ids were added,
changed, left unchanged, cancelled, deleted or kept; and each notice, with how many
people it reaches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.domain.wording import Text

KINDS = ("event", "tracks", "rooms", "speakers", "sessions", "exhibitors")
#: kept: rows the file omits that stay (held by someone, or not to be pruned), and
#: cancelled sessions the file lists (an import does not bring a cancelled session back).
OUTCOMES = ("added", "changed", "unchanged", "cancelled", "deleted", "kept")
#: Notices a terminal report names one by one (those that reach somebody).
MAX_NOTICE_LINES = 30


@dataclass(slots=True)
class KindReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {outcome: len(getattr(self, outcome)) for outcome in OUTCOMES}


@dataclass(frozen=True, slots=True)
class NoticeReport:
    """A notice the import wrote (or would write)."""

    kind: str  # SESSION_CHANGED, SESSION_CANCELLED
    session_id: str
    audience: int  # people it is for: speakers, bookmarkers, registrants
    text: Text
    promoted: int = 0  # waitlisted people given a seat, each told apart


@dataclass(slots=True)
class ImportReport:
    source: str
    file: str
    dry_run: bool
    prune: bool
    kinds: dict[str, KindReport] = field(default_factory=lambda: {k: KindReport() for k in KINDS})
    notices: list[NoticeReport] = field(default_factory=list)
    #: When the same file was applied, if nothing it read has changed since: this report
    #: is the one that import left for its next run, and the file was not read again.
    same_file_as: datetime | None = None

    @property
    def changes_anything(self) -> bool:
        return any(
            getattr(report, outcome)
            for report in self.kinds.values()
            for outcome in ("added", "changed", "cancelled", "deleted")
        )

    def counts(self) -> dict[str, dict[str, int]]:
        return {kind: report.counts() for kind, report in self.kinds.items()}

    def next_run(self) -> dict[str, dict[str, list[str]]] | None:
        """What importing the same file again would report once this import is applied,
        while the agenda stays as it leaves it: every listed row unchanged, and what
        it kept or cancelled kept. None when that depends on more than the agenda: with
        prune, rows kept or cancelled because someone holds them are deleted once
        nobody does."""
        if self.prune and any(r.kept or r.cancelled for r in self.kinds.values()):
            return None
        return {
            kind: {"unchanged": r.added + r.changed + r.unchanged, "kept": r.kept + r.cancelled}
            for kind, r in self.kinds.items()
        }

    @classmethod
    def of_known_file(
        cls,
        source: str,
        file: str,
        next_run: dict[str, dict[str, list[str]]],
        imported_at: datetime,
        *,
        dry_run: bool,
        prune: bool,
    ) -> ImportReport:
        """The report of a file recognised (see `next_run`)."""
        kinds = {
            kind: KindReport(**{o: list(next_run.get(kind, {}).get(o, ())) for o in OUTCOMES})
            for kind in KINDS
        }
        return cls(source, file, dry_run, prune, kinds, same_file_as=imported_at)

    def as_json(self, lang: str) -> dict[str, Any]:
        """For programs and the console: counts and ids per kind, notices in `lang`."""
        english = lang == "en"
        return {
            "source": self.source,
            "file": self.file,
            "dryRun": self.dry_run,
            "prune": self.prune,
            "changesAnything": self.changes_anything,
            "sameFileAs": self.same_file_as.isoformat() if self.same_file_as else None,
            "kinds": {
                kind: {
                    outcome: {"count": len(ids), "ids": ids}
                    for outcome in OUTCOMES
                    for ids in [getattr(report, outcome)]
                }
                for kind, report in self.kinds.items()
            },
            "notices": [
                {
                    "kind": n.kind,
                    "sessionId": n.session_id,
                    "audience": n.audience,
                    "promoted": n.promoted,
                    "text": n.text.en if english else n.text.fr,
                }
                for n in self.notices
            ],
        }

    def lines(self, lang: str) -> list[str]:
        """The report for a person at a terminal."""
        english = lang == "en"
        names = _OUTCOME_NAMES_EN if english else _OUTCOME_NAMES_FR
        kinds = _KIND_NAMES_EN if english else _KIND_NAMES_FR
        found = []
        if self.same_file_as is not None:
            found.append(
                "The same file as an import already applied, and nothing it reads has "
                "changed since: it was not read again."
                if english
                else "Le même fichier qu'un import déjà appliqué, et rien de ce qu'il lit "
                "n'a changé depuis : il n'a pas été relu."
            )
        for kind, report in self.kinds.items():
            counted = [f"{n} {names[o]}" for o, n in report.counts().items() if n]
            if counted:
                found.append(f"{kinds[kind]}: {', '.join(counted)}")
        if self.notices:
            reached = sum(n.audience for n in self.notices)
            plural = "s" if reached != 1 else ""
            found.append(
                f"Notices: {len(self.notices)} ({reached} recipient{plural}, counted per notice)"
                if english
                else f"Avis : {len(self.notices)} ({reached} destinataire{plural}, "
                f"compté{plural} par avis)"
            )
        heard = [n for n in self.notices if n.audience]
        for notice in heard[:MAX_NOTICE_LINES]:
            people = _people(notice.audience, english)
            text = (notice.text.en if english else notice.text.fr).replace("\n", " / ")
            found.append(f"  {notice.kind} {notice.session_id} → {people}: {text}")
        if len(heard) > MAX_NOTICE_LINES:
            more = len(heard) - MAX_NOTICE_LINES
            found.append(f"  … and {more} more" if english else f"  … et {more} de plus")
        return found


def _people(count: int, english: bool) -> str:
    if english:
        return f"{count} {'person' if count == 1 else 'people'}"
    return f"{count} {'personne' if count == 1 else 'personnes'}"


_OUTCOME_NAMES_FR = {
    "added": "ajoutés",
    "changed": "modifiés",
    "unchanged": "inchangés",
    "cancelled": "annulés",
    "deleted": "supprimés",
    "kept": "conservés",
}
_OUTCOME_NAMES_EN = {o: o for o in OUTCOMES}
_KIND_NAMES_FR = {
    "event": "Salon",
    "tracks": "Parcours",
    "rooms": "Salles",
    "speakers": "Intervenants",
    "sessions": "Sessions",
    "exhibitors": "Exposants",
}
_KIND_NAMES_EN = {k: k.capitalize() for k in KINDS}
