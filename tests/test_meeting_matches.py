"""Meeting matches: the vocabulary of capabilities, then `me.meetingMatches` on a fixed
set of profiles whose right answers are known, on a fair of its own (other tests'
profiles cannot move the ranking).

The viewer, Atlas Mécanique, offers CNC machining and industrial maintenance and needs
surface treatment, a foundry and someone to recycle its chips. Who should come first,
and why, is written out below; the closed profile, another desk of the same company
and a colleague on the same stand never come at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

import asyncpg
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport

from server.domain.errors import DomainError, ErrorCode
from server.domain.imports.formats.text import fold
from server.domain.meetings import matching
from server.domain.meetings.capabilities import (
    VocabularyError,
    label,
    one_edit_apart,
    parse_vocabulary,
    terms_of,
    vocabulary,
)
from tests import own_fair_fixtures
from tests.conftest import People, Person
from tests.offline_copy import OwnFair

Db: TypeAlias = "asyncpg.Connection[Any]"

fair = own_fair_fixtures.fair
own_db = own_fair_fixtures.own_db


# --------------------------------------------------------------------------------------
# The vocabulary
# --------------------------------------------------------------------------------------


def overlap(needs: list[str], offers: list[str]) -> set[str]:
    """What SQL's `need_terms && offer_terms` would find in common."""
    return set(terms_of(needs)) & set(terms_of(offers))


def test_usinage_meets_usinage_cnc_and_machining_every_way() -> None:
    assert terms_of(["usinage"]) == ["machining"]
    assert terms_of(["usinage CNC"]) == ["cnc-machining", "machining"]
    assert terms_of(["CNC machining"]) == terms_of(["usinage CNC"])
    assert terms_of(["machining"]) == terms_of(["usinage"])
    assert overlap(["usinage"], ["usinage CNC"]) == {"machining"}
    assert overlap(["usinage CNC"], ["usinage"]) == {"machining"}
    assert overlap(["machining"], ["usinage CNC"]) == {"machining"}
    assert overlap(["CNC machining"], ["usinage CNC"]) == {"cnc-machining", "machining"}
    # A kind of machining meets a need for machining; two kinds meet only through it.
    assert overlap(["usinage"], ["tournage"]) == {"machining"}
    assert overlap(["fraisage"], ["tournage"]) == {"machining"}


def test_phrases_are_compared_without_case_accents_plurals_or_stop_words() -> None:
    assert terms_of(["ÉLECTROÉROSION"]) == terms_of(["electroerosion"]) == ["edm", "machining"]
    assert terms_of(["Tôlerie"]) == terms_of(["tolerie"]) == ["sheet-metal"]
    assert terms_of(["soudures"]) == terms_of(["Soudure"]) == ["welding"]
    assert terms_of(["traitements des surfaces"]) == ["surface-treatment"]
    assert terms_of(["Métaux"]) == terms_of(["métal"])  # -aux and -al
    assert terms_of(["sub-assemblies"]) == terms_of(["sub-assembly"]) == ["assembly"]
    # Words in any order, others around them: a phrase names every capability it holds.
    assert terms_of(["découpe de tôle au laser"]) == ["cutting", "laser-cutting"]
    assert terms_of(["tôlerie fine et soudure TIG"]) == ["sheet-metal", "welding"]
    # "mes" is a stop word (my), not MES software.
    assert terms_of(["mes besoins en usinage"]) == ["machining"]


def test_french_and_english_name_the_same_capabilities() -> None:
    pairs = [
        ("fonderie", "foundry"),
        ("traitement de surface", "surface treatment"),
        ("maintenance industrielle", "industrial maintenance"),
        ("automatismes", "automation"),
        ("injection plastique", "injection molding"),
        ("énergie solaire", "solar PV"),
        ("équipements de protection individuelle", "PPE"),
    ]
    for french, english in pairs:
        assert terms_of([french]) == terms_of([english]) != [], (french, english)


def test_long_words_forgive_one_typo_short_ones_do_not() -> None:
    assert terms_of(["souduer"]) == ["welding"]
    assert terms_of(["usinnage"]) == ["machining"]
    assert terms_of(["fraisgae CNC"]) == ["cnc-machining", "machining", "milling"]
    assert terms_of(["lavage"]) == ["~lavage"]  # not "levage" (lifting)
    assert terms_of(["recruit"]) == ["~recruit"]  # not "recuit" (annealing)
    assert one_edit_apart("soudure", "souduer")  # swapped
    assert one_edit_apart("usinage", "usinnage")  # one more
    assert one_edit_apart("usinage", "usinag")  # one less
    assert one_edit_apart("fonderie", "fondarie")  # replaced
    assert not one_edit_apart("usinage", "usinage")
    assert not one_edit_apart("soudure", "soudage")


def test_whole_words_only() -> None:
    # "supervision" holds "vision" but is another word: SCADA, not machine vision.
    assert terms_of(["supervision industrielle"]) == ["automation", "scada"]
    assert terms_of(["contournage"]) == ["~contournage"]  # not "tournage"


def test_unknown_phrases_keep_their_words_so_the_same_words_still_meet() -> None:
    assert terms_of(["Gestion des déchets"]) == ["~gestion dechet"]
    assert overlap(["gestion déchet"], ["Gestion des déchets"]) == {"~gestion dechet"}
    assert terms_of(["de la", "  "]) == []  # nothing but stop words
    # A phrase that names a capability keeps no words of its own.
    assert terms_of(["usinage de pièces de rechange"]) == ["machining", "spare-parts"]
    assert terms_of(["fonderie", "Gestion des déchets"]) == ["casting", "~gestion dechet"]


def test_labels_name_terms_in_both_languages() -> None:
    assert label("cnc-machining", "fr") == "usinage CNC"
    assert label("cnc-machining", "en") == "CNC machining"
    assert label("casting", "en") == "foundry"
    assert label("~gestion dechet", "fr", ["Gestion des déchets"]) == "Gestion des déchets"
    assert label("~gestion dechet", "en") == "gestion dechet"
    assert vocabulary().most_specific(["machining", "cnc-machining", "casting"]) == [
        "casting",
        "cnc-machining",
    ]


def test_the_shipped_vocabulary_is_checked_and_sized() -> None:
    found = vocabulary()
    assert 40 <= len(found.capabilities) <= 90
    assert all(c.label_fr and c.label_en for c in found.capabilities.values())
    assert found.ancestors["robotic-welding"] == {"welding", "robotics", "automation"}


def vocabulary_text(*capabilities: dict[str, Any], stop_words: Any = None) -> str:
    stop = {"fr": ["de"], "en": ["of"]} if stop_words is None else stop_words
    return json.dumps({"stop_words": stop, "capabilities": list(capabilities)})


def capability(identifier: str, *broader: str, terms: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": identifier,
        "fr": f"{identifier} fr",
        "en": f"{identifier} en",
        "broader": list(broader),
        "terms": {"fr": terms or [], "en": []},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        (vocabulary_text(), "non-empty list"),
        (vocabulary_text(capability("a"), capability("a")), "'a' is used twice"),
        (vocabulary_text(capability("a", "b")), "broader ['b'] are not capabilities"),
        (vocabulary_text(capability("a", "a")), "a is broader than itself"),
        (
            vocabulary_text(capability("a", "c"), capability("b", "a"), capability("c", "b")),
            "broader than itself (a cycle)",
        ),
        (vocabulary_text(capability("Usinage")), "lower-case ASCII words"),
        (vocabulary_text(capability("a", terms=["de"])), "has only stop words"),
        (
            vocabulary_text(
                capability("a", terms=["usinage"]), capability("b", terms=["Usinages"])
            ),
            "names both a and b",
        ),
        (vocabulary_text(capability("a"), stop_words=["de"]), "stop_words must be an object"),
    ],
)
def test_a_broken_vocabulary_is_refused_when_read(text: str, message: str) -> None:
    with pytest.raises(VocabularyError, match=re.escape(message)):
        parse_vocabulary(text)


def test_a_sound_vocabulary_is_read() -> None:
    read = parse_vocabulary(vocabulary_text(capability("a"), capability("b", "a", terms=["bee"])))
    assert read.terms_of(["bees of b"]) == ["a", "b"]
    assert read.ancestors == {"a": frozenset(), "b": frozenset({"a"})}


# --------------------------------------------------------------------------------------
# The fixed set of profiles
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    id: int
    person: Person


async def add_profile(
    db: Db,
    person: Person,
    company: str,
    offers: list[str],
    needs: list[str],
    sectors: list[str],
    *,
    open_to_meetings: bool = True,
    exhibitor_id: str | None = None,
) -> Profile:
    """A business profile row as a save would write it: terms by `terms_of`, the
    company folded into company_key."""
    profile_id: int = await db.fetchval(
        """INSERT INTO business_profile (person_id, exhibitor_id, company, company_key,
               country, sectors, offers, needs, offer_terms, need_terms, open_to_meetings,
               updated_at)
           VALUES ($1, $2, $3, $4, 'MA', $5, $6, $7, $8, $9, $10, $11) RETURNING id""",
        person.id,
        exhibitor_id,
        company,
        " ".join(fold(company).split()),
        sectors,
        offers,
        needs,
        terms_of(offers),
        terms_of(needs),
        open_to_meetings,
        datetime.now(UTC),
    )
    return Profile(profile_id, person)


@dataclass(frozen=True)
class Cast:
    viewer: Profile
    #: company -> profile, for every other profile.
    others: dict[str, Profile]
    no_profile: Person


#: The right answer for the viewer, best first: the two-way fits (Tensift meets both of
#: its needs, Galva one), the one-way fits (Surface Pro meets a need; Usinage Rabat
#: needs what it offers; Copeaux Recyclage offers the unusual need, in its own words),
#: then sectors alone.
EXPECTED = [
    "Fonderie Tensift",
    "Galva Maroc",
    "Surface Pro",
    "Usinage Rabat",
    "Copeaux Recyclage",
    "Delta Conseil",
]
REASONS_FR = [
    [
        "propose fonderie et traitement de surface, dont vous avez besoin",
        "cherche usinage, que vous proposez",
        "secteur commun : Métallurgie",
    ],
    [
        "propose traitement de surface, dont vous avez besoin",
        "cherche maintenance industrielle et usinage, que vous proposez",
    ],
    ["propose traitement de surface, dont vous avez besoin", "secteur commun : Mécanique"],
    ["cherche usinage CNC, que vous proposez"],
    ["propose Recyclage de copeaux, dont vous avez besoin"],
    ["secteurs communs : Mécanique et Métallurgie"],
]
REASONS_EN = [
    [
        "offers foundry and surface treatment, which you need",
        "needs machining, which you offer",
        "shared sector: Metallurgy",
    ],
    [
        "offers surface treatment, which you need",
        "needs industrial maintenance and machining, which you offer",
    ],
    ["offers surface treatment, which you need", "shared sector: Mechanics"],
    ["needs CNC machining, which you offer"],
    ["offers Recyclage de copeaux, which you need"],
    ["shared sectors: Mechanics and Metallurgy"],
]
NEVER = ["Fonte Fermée", "ATLAS  MECANIQUE", "Stand Voisin", "Agence Digitale"]


@pytest.fixture(scope="module")
async def cast(fair: OwnFair) -> Cast:
    people = People(fair.dsn)
    db = await asyncpg.connect(fair.dsn)
    try:
        # Only the cast below: the demo fair's own profiles would fit too.
        await db.execute("DELETE FROM business_profile")
        stand = await db.fetchval("SELECT id FROM exhibitor ORDER BY id LIMIT 1")
        viewer = await add_profile(
            db,
            await people.make(),
            "Atlas Mécanique",
            ["usinage CNC", "maintenance industrielle"],
            ["traitement de surface", "fonderie", "recyclage des copeaux"],
            ["mechanics", "metallurgy"],
            exhibitor_id=stand,
        )
        rows: list[tuple[str, list[str], list[str], list[str], dict[str, Any]]] = [
            ("Fonderie Tensift", ["fonderie", "galvanisation"], ["usinage"], ["metallurgy"], {}),
            ("Galva Maroc", ["galvanisation à chaud"], ["machining", "maintenance"],
             ["energy-transition"], {}),
            ("Surface Pro", ["traitement de surface", "peinture industrielle"], ["logistique"],
             ["mechanics"], {}),
            ("Usinage Rabat", ["usinage CNC"], ["usinage CNC"], ["startup"], {}),
            ("Copeaux Recyclage", ["Recyclage de copeaux"], ["bennes"], [], {}),
            ("Delta Conseil", ["formation"], ["recrutement"], ["mechanics", "metallurgy"], {}),
            # Perfect fits that must never come: closed, the viewer's own company
            # (written otherwise), a colleague of the same stand.
            ("Fonte Fermée", ["fonderie", "traitement de surface"], ["usinage"], ["metallurgy"],
             {"open_to_meetings": False}),
            ("ATLAS  MECANIQUE", ["fonderie", "traitement de surface"], ["usinage"],
             ["metallurgy"], {}),
            ("Stand Voisin", ["fonderie", "traitement de surface"], ["usinage"], ["metallurgy"],
             {"exhibitor_id": stand}),
            # Nothing in common.
            ("Agence Digitale", ["marketing digital"], ["comptabilité"], ["startup"], {}),
        ]  # fmt: skip
        others = {}
        for company, offers, needs, sectors, extra in rows:
            person = await people.make()
            others[company] = await add_profile(
                db, person, company, offers, needs, sectors, **extra
            )
    finally:
        await db.close()
    return Cast(viewer=viewer, others=others, no_profile=await people.make())


def companies(matches: list[matching.Match]) -> list[str]:
    return [m.profile.company for m in matches]


async def test_the_best_match_is_first_and_tiers_keep_their_order(own_db: Db, cast: Cast) -> None:
    found = await matching.meeting_matches(own_db, cast.viewer.person.id, 20, "fr")
    assert companies(found) == EXPECTED
    assert [m.reasons for m in found] == REASONS_FR
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)
    assert all(s > 2 / 3 for s in scores[:2])  # two-way
    assert all(1 / 3 < s <= 0.55 for s in scores[2:5])  # one-way
    assert 0 < scores[5] <= 0.07  # sectors only
    # Tensift: 2 of the viewer's 3 need terms, 1 of its 3 offer terms, 1 of 2 sectors.
    assert scores[0] == round((2 + 0.45 * 2 / 3 + 0.35 * 1 / 3 + 0.2 * 1 / 2) / 3, 4)


async def test_never_the_closed_profile_the_same_company_or_the_same_stand(
    own_db: Db, cast: Cast
) -> None:
    found = await matching.meeting_matches(own_db, cast.viewer.person.id, 100, "en")
    assert not set(NEVER) & set(companies(found))
    assert cast.viewer.id not in {m.profile.id for m in found}
    # Closed to requests is not blind: its owner still sees who fits.
    closed = cast.others["Fonte Fermée"]
    theirs = await matching.meeting_matches(own_db, closed.person.id, 100, "en")
    assert "Atlas Mécanique" in companies(theirs)


async def test_first_is_bounded_and_a_person_without_profile_has_no_matches(
    own_db: Db, cast: Cast
) -> None:
    assert await matching.meeting_matches(own_db, cast.no_profile.id, 20, "fr") == []
    two = await matching.meeting_matches(own_db, cast.viewer.person.id, 2, "fr")
    assert companies(two) == EXPECTED[:2]
    for first in (0, -1, 101):
        with pytest.raises(DomainError) as refused:
            await matching.meeting_matches(own_db, cast.viewer.person.id, first, "fr")
        assert refused.value.code is ErrorCode.BAD_USER_INPUT


# --------------------------------------------------------------------------------------
# Through GraphQL
# --------------------------------------------------------------------------------------

MATCHES = """query($first: Int) { me { meetingMatches(first: $first) {
  score reasons profile { id company country sectors offers needs summary openToMeetings
  exhibitor { id } } } } }"""


async def ask(fair: OwnFair, person: Person, lang: str, first: int | None = None) -> Any:
    headers = {**person.headers, "Accept-Language": lang}
    return await fair.gql(MATCHES, {"first": first}, **headers)


async def test_graphql_gives_the_ranking_and_the_reasons_in_french_and_english(
    fair: OwnFair, cast: Cast
) -> None:
    french = (await ask(fair, cast.viewer.person, "fr-MA,fr;q=0.9"))["data"]["me"]
    english = (await ask(fair, cast.viewer.person, "en-GB,en;q=0.8"))["data"]["me"]
    for answer, reasons in ((french, REASONS_FR), (english, REASONS_EN)):
        matches = answer["meetingMatches"]
        assert [m["profile"]["company"] for m in matches] == EXPECTED
        assert [m["reasons"] for m in matches] == reasons
    first = french["meetingMatches"][0]
    assert first["profile"] == {
        "id": str(cast.others["Fonderie Tensift"].id),
        "company": "Fonderie Tensift",
        "country": "MA",
        "sectors": ["metallurgy"],
        "offers": ["fonderie", "galvanisation"],
        "needs": ["usinage"],
        "summary": None,
        "openToMeetings": True,
        "exhibitor": None,
    }
    assert 0 < first["score"] <= 1


async def test_graphql_bounds_first_and_answers_none_and_no_profile(
    fair: OwnFair, cast: Cast
) -> None:
    for first in (0, 101):
        body = await ask(fair, cast.viewer.person, "fr", first)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    body = await ask(fair, cast.no_profile, "fr")
    assert body == {"data": {"me": {"meetingMatches": []}}}
    anonymous = await fair.gql(MATCHES, {"first": 5})
    assert anonymous == {"data": {"me": None}}


OPEN = "UPDATE business_profile SET open_to_meetings = $2 WHERE id = $1"


async def test_matches_are_never_served_from_the_cache(fair: OwnFair, cast: Cast) -> None:
    """Another person closing their profile changes neither version the response cache
    keys on: the next answer must see it all the same."""
    before = await ask(fair, cast.viewer.person, "fr")
    assert before["data"]["me"]["meetingMatches"][1]["profile"]["company"] == "Galva Maroc"
    galva = cast.others["Galva Maroc"].id
    db = await asyncpg.connect(fair.dsn)
    try:
        await db.execute(OPEN, galva, False)
        after = await ask(fair, cast.viewer.person, "fr")
        expected = [c for c in EXPECTED if c != "Galva Maroc"]
        assert [m["profile"]["company"] for m in after["data"]["me"]["meetingMatches"]] == expected
    finally:
        await db.execute(OPEN, galva, True)
        await db.close()


async def test_gql_client_reads_the_matches(fair: OwnFair, cast: Cast) -> None:
    headers = {**cast.viewer.person.headers, "Accept-Language": "en"}
    transport = HTTPXAsyncTransport(url=fair.live.graphql_url, headers=headers)
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        query = gql("""query($first: Int) { me { meetingMatches(first: $first) {
                         score reasons profile { id company } } } }""")
        query.variable_values = {"first": 3}
        data = await session.execute(query)
    matches = data["me"]["meetingMatches"]
    assert [m["profile"]["company"] for m in matches] == EXPECTED[:3]
    assert [m["reasons"] for m in matches] == REASONS_EN[:3]
    assert matches[0]["profile"]["id"] == str(cast.others["Fonderie Tensift"].id)
