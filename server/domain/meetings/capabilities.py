"""The capabilities a profile's offers and needs name, as matching compares them.

The vocabulary is data (capabilities.json beside this module): industrial capabilities,
each with an ASCII id, a French and an English label, the terms that name it in both
languages, and the broader capabilities it is a kind of; and the stop words of both
languages. A phrase names a capability when every word of one of its terms is among
the phrase's words, compared without case or accents, plurals and small typos forgiven,
stop words left out. A profile stores the ids its phrases name and every broader id of
those (`terms_of`), so that one array overlap (`&&`) in SQL finds a need for "usinage"
in an offer of "usinage CNC" and the other way round. A phrase that names no
capability is kept as its words (`~usinage chimique`), so two people typing the same
unusual words still meet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

from server.domain.imports.formats.text import fold

Lang = Literal["fr", "en"]

#: The term of a phrase that names no capability starts with this (ids never do).
UNKNOWN = "~"
#: A typo is forgiven where the vocabulary's word is this long (shorter ones are too
#: often one letter away from other words: "levage" and "lavage", "recuit" and "recruit").
TYPO_MIN_LENGTH = 7
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_WORD = re.compile(r"[^\W_]+")


class VocabularyError(ValueError):
    """capabilities.json is not a vocabulary matching can use."""


def stem(word: str) -> str:
    """A folded word without its plural, the same way on both sides: "métaux" and
    "métal", "assemblies" and "assembly", "soudures" and "soudure"."""
    if len(word) <= 3:
        return word
    if word.endswith("eaux"):
        return word[:-1]
    if word.endswith("aux"):
        return word[:-3] + "al"
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words_of(text: str, stop_words: frozenset[str]) -> tuple[str, ...]:
    """The words of `text` as matching compares them: folded, stemmed, without
    `stop_words` (folded)."""
    return tuple(stem(w) for w in _WORD.findall(fold(text)) if w not in stop_words)


def one_edit_apart(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one letter inserted, removed or replaced, or by
    two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):  # one letter more in b
        return a[start:] == b[start + 1 :]
    rest = start + 1
    replaced = a[rest:] == b[rest:]
    swapped = (
        rest < len(a)
        and (a[start], a[rest]) == (b[rest], b[start])
        and a[rest + 1 :] == b[rest + 1 :]
    )
    return replaced or swapped


@dataclass(frozen=True, slots=True)
class Capability:
    id: str
    label_fr: str
    label_en: str
    broader: tuple[str, ...]
    #: Each term as its set of words (see Vocabulary.words).
    terms: tuple[frozenset[str], ...]

    def label(self, lang: Lang) -> str:
        return self.label_en if lang == "en" else self.label_fr


class Vocabulary:
    """Capabilities, what includes what, and the words that name them."""

    def __init__(self, capabilities: Sequence[Capability], stop_words: frozenset[str]) -> None:
        self.capabilities: Mapping[str, Capability] = {c.id: c for c in capabilities}
        self.stop_words = stop_words
        self.ancestors: Mapping[str, frozenset[str]] = {
            c.id: ancestors(c.id, self.capabilities) for c in capabilities
        }
        #: The terms each word is in: (the term's words, its capability).
        self._terms_with: dict[str, list[tuple[frozenset[str], str]]] = {}
        for capability in capabilities:
            for term in capability.terms:
                for word in term:
                    self._terms_with.setdefault(word, []).append((term, capability.id))
        self._long_words = [w for w in self._terms_with if len(w) >= TYPO_MIN_LENGTH]
        self._forms = lru_cache(maxsize=8192)(self._forms_of)

    def words(self, text: str) -> tuple[str, ...]:
        """The words of `text` as matching compares them: folded, stemmed, without
        stop words."""
        return words_of(text, self.stop_words)

    def _forms_of(self, word: str) -> frozenset[str]:
        """The vocabulary's words `word` stands for: itself, or those one typo away."""
        if word in self._terms_with:
            return frozenset((word,))
        if len(word) < TYPO_MIN_LENGTH - 1:
            return frozenset()
        return frozenset(known for known in self._long_words if one_edit_apart(word, known))

    def named_by(self, phrase: str) -> set[str]:
        """The capabilities `phrase` names (without their broader ones)."""
        present: set[str] = set()
        for word in self.words(phrase):
            present |= self._forms(word)
        return {
            capability
            for word in present
            for term, capability in self._terms_with[word]
            if term <= present
        }

    def unknown_term(self, phrase: str) -> str | None:
        """The term of a phrase that names no capability: `~` and its words (None when
        it has no word but stop words)."""
        found = self.words(phrase)
        return UNKNOWN + " ".join(found) if found else None

    def terms_of(self, phrases: Iterable[str]) -> list[str]:
        found: set[str] = set()
        for phrase in phrases:
            named = self.named_by(phrase)
            for capability in named:
                found |= {capability, *self.ancestors[capability]}
            if not named and (unknown := self.unknown_term(phrase)):
                found.add(unknown)
        return sorted(found)

    def label(self, term: str, lang: Lang, phrases: Sequence[str] = ()) -> str:
        capability = self.capabilities.get(term)
        if capability is not None:
            return capability.label(lang)
        for phrase in phrases:  # the unusual phrase as it was typed
            if self.unknown_term(phrase) == term:
                return phrase.strip()
        return term.removeprefix(UNKNOWN)  # or its words, or an id no longer known

    def most_specific(self, terms: Iterable[str]) -> list[str]:
        """`terms` without those broader than another of them: "usinage CNC", not
        "usinage CNC" and "usinage"."""
        given = set(terms)
        implied = {a for t in given for a in self.ancestors.get(t, ())}
        return sorted(given - implied)


def ancestors(start: str, capabilities: Mapping[str, Capability]) -> frozenset[str]:
    """Every capability `start` is a kind of, however indirectly."""
    found: set[str] = set()
    waiting = list(capabilities[start].broader)
    while waiting:
        current = waiting.pop()
        if current not in found:
            found.add(current)
            waiting.extend(capabilities[current].broader)
    return frozenset(found)


# --------------------------------------------------------------------------------------
# Reading and checking capabilities.json
# --------------------------------------------------------------------------------------


def _text(entry: Mapping[str, object], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise VocabularyError(f"{where}: `{key}` must be a non-empty string")
    return value


def _texts(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise VocabularyError(f"{where} must be a list of strings")
    return value


def _by_language(value: object, where: str) -> list[str]:
    """The strings of an object {"fr": [...], "en": [...]}, French first."""
    if not isinstance(value, dict) or set(value) - {"fr", "en"}:
        raise VocabularyError(f"{where} must be an object of `fr` and `en` lists")
    return [t for lang in ("fr", "en") for t in _texts(value.get(lang, []), f"{where}.{lang}")]


def _capability(entry: object, index: int, stop_words: frozenset[str]) -> Capability:
    if not isinstance(entry, dict):
        raise VocabularyError(f"capability #{index + 1} is not an object")
    identifier = _text(entry, "id", f"capability #{index + 1}")
    if not _ID.fullmatch(identifier):
        raise VocabularyError(f"{identifier!r}: an id is lower-case ASCII words joined by -")
    label_fr, label_en = _text(entry, "fr", identifier), _text(entry, "en", identifier)
    term_words = []
    for phrase in [label_fr, label_en, *_by_language(entry.get("terms"), f"{identifier}.terms")]:
        if not (found := frozenset(words_of(phrase, stop_words))):
            raise VocabularyError(f"{identifier}: the term {phrase!r} has only stop words")
        term_words.append(found)
    return Capability(
        id=identifier,
        label_fr=label_fr,
        label_en=label_en,
        broader=tuple(_texts(entry.get("broader", []), f"{identifier}.broader")),
        terms=tuple(dict.fromkeys(term_words)),
    )


def _check_relations(capabilities: Sequence[Capability]) -> None:
    by_id: dict[str, Capability] = {}
    for capability in capabilities:
        if by_id.setdefault(capability.id, capability) is not capability:
            raise VocabularyError(f"the id {capability.id!r} is used twice")
    for capability in capabilities:
        if unknown := [b for b in capability.broader if b not in by_id]:
            raise VocabularyError(f"{capability.id}: broader {unknown} are not capabilities")
    for capability in capabilities:
        if capability.id in ancestors(capability.id, by_id):
            raise VocabularyError(f"{capability.id} is broader than itself (a cycle)")
    named: dict[frozenset[str], str] = {}
    for capability in capabilities:
        for term in capability.terms:
            other = named.setdefault(term, capability.id)
            if other != capability.id:
                raise VocabularyError(
                    f"the term {' '.join(sorted(term))!r} names both {other} and {capability.id}"
                )


def parse_vocabulary(text: str) -> Vocabulary:
    """The vocabulary in `text` (capabilities.json's format); VocabularyError when it
    is malformed, an id is used twice, a broader id is unknown, the broader relation
    has a cycle, a term has only stop words, or one term names two capabilities."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise VocabularyError(f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise VocabularyError("expected an object with `stop_words` and `capabilities`")
    stop_words = frozenset(fold(w) for w in _by_language(document.get("stop_words"), "stop_words"))
    entries = document.get("capabilities")
    if not isinstance(entries, list) or not entries:
        raise VocabularyError("`capabilities` must be a non-empty list")
    capabilities = [_capability(entry, i, stop_words) for i, entry in enumerate(entries)]
    _check_relations(capabilities)
    return Vocabulary(capabilities, stop_words)


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary of capabilities.json, read and checked once per process."""
    source = resources.files("server.domain.meetings") / "capabilities.json"
    return parse_vocabulary(source.read_text(encoding="utf-8"))


def terms_of(phrases: Sequence[str]) -> list[str]:
    """The capability ids these phrases name and every broader id of those, and `~`
    plus the words of each phrase that names none; each once, sorted."""
    return vocabulary().terms_of(phrases)


def label(term: str, lang: Lang, phrases: Sequence[str] = ()) -> str:
    """What a reason calls a term: its capability's label in `lang`; for a phrase the
    vocabulary does not know, the one of `phrases` (the profile's) it stands for, as
    typed, else its words."""
    return vocabulary().label(term, lang, phrases)
