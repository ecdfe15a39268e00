"""The 2,000 business profiles bench/matches.py ranks: generated, realistic, repeatable.

Companies of the fair's countries in its seven sectors, each offering two to four and
needing one to three capabilities, typed the way people type them: French or English,
plurals, an accent missing, now and then a phrase the vocabulary does not know. Their
terms are computed by the same `terms_of` as a saved profile's. The same seed gives the
same profiles.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from server.auth.signin import issue_token
from server.domain.imports.formats.text import fold
from server.domain.meetings.capabilities import terms_of
from server.domain.people import NewPerson, add_person

PROFILES = 2_000
SEED = 2026
TOKEN_LIFETIME = timedelta(days=1)  # longer than any bounded run

#: What people offer and need, as they type it (a few unknown to the vocabulary).
PHRASES = (
    "usinage", "usinage CNC", "Usinage de précision", "machining", "CNC machining",
    "tournage", "décolletage", "fraisage 5 axes", "rectification", "électroérosion",
    "fonderie", "fonderie aluminium sous pression", "casting", "forge", "forgeage à chaud",
    "traitement thermique", "heat treatment", "charpente métallique", "steel structures",
    "chaudronnerie", "tôlerie fine", "sheet metal", "emboutissage", "découpe laser",
    "laser cutting", "découpe plasma", "soudure", "soudage TIG", "welding", "soudage robotisé",
    "outillage", "moules d'injection", "fabrication de moules", "visserie", "boulonnerie",
    "engrenages", "réducteurs", "roulements", "hydraulique", "vérins hydrauliques",
    "pneumatique", "air comprimé", "pompes", "vannes", "robinetterie industrielle",
    "tuyauterie", "assemblage mécanique", "bureau d'études", "conception mécanique", "CAO",
    "machines spéciales", "installation électrique", "électricité industrielle",
    "armoires électriques", "câblage", "faisceaux électriques", "moteurs électriques",
    "rebobinage", "électronique", "cartes électroniques", "traitement de surface",
    "traitements de surfaces", "peinture industrielle", "thermolaquage", "galvanisation",
    "zingage", "chromage", "anodisation", "sablage", "grenaillage", "revêtement anticorrosion",
    "maintenance industrielle", "maintenance", "industrial maintenance",
    "maintenance prédictive", "analyse vibratoire", "pièces de rechange", "spare parts",
    "contrôle qualité", "métrologie", "étalonnage", "contrôle non destructif", "NDT",
    "automatismes", "automatisme industriel", "automation", "programmation automates", "PLC",
    "supervision SCADA", "robotique", "robots industriels", "vision industrielle",
    "instrumentation", "capteurs", "convoyeurs", "manutention", "plasturgie",
    "injection plastique", "injection molding", "extrusion", "thermoformage", "composites",
    "caoutchouc", "joints d'étanchéité", "énergie solaire", "photovoltaique",
    "panneaux solaires", "énergies renouvelables", "efficacité énergétique", "audit énergétique",
    "climatisation", "froid industriel", "chaudières", "groupes électrogènes",
    "sécurité industrielle", "HSE", "EPI", "protection incendie", "sécurité machines", "ATEX",
    "industrie 4.0", "IoT industriel", "ERP", "GPAO", "MES software", "cybersécurité",
    "intelligence artificielle", "logistique", "transport", "négoce de métaux",
    "gestion des déchets", "recyclage des métaux", "formation technique", "location d'engins",
)  # fmt: skip
SECTORS = (
    "metallurgy", "mechanics", "electromechanics", "energy-transition", "digital-transition",
    "industrial-safety", "startup",
)  # fmt: skip
COUNTRIES = ("MA",) * 12 + ("FR", "ES", "DE", "IT", "TN", "SN", "CI", "PT", "TR", "CN")
NAMES = ("Atlas", "Sud", "Nord", "Delta", "Maghreb", "Oasis", "Tensift", "Sebou")
KINDS = ("Industries", "Mécanique", "Technologies", "Services", "Engineering", "Maroc")

#: The profile of the person the benchmark asks for.
VIEWER = {
    "company": "Banc d'Essai Industries",
    "country": "MA",
    "sectors": ["metallurgy", "mechanics"],
    "offers": ["maintenance industrielle", "automatismes", "armoires électriques"],
    "needs": ["usinage CNC", "traitement de surface", "soudure"],
}


@dataclass(frozen=True, slots=True)
class Fair:
    profiles: int
    closed: int
    viewer_id: int
    token: str

    def document(self) -> dict[str, Any]:
        """For the results file: no token (the database is dropped anyway)."""
        return {"profiles": self.profiles, "closed": self.closed, "viewer": VIEWER}


def generated(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """`count` profiles; one in 20 closed to meetings."""
    pick = random.Random(seed)
    profiles = []
    for n in range(count):
        offers = pick.sample(PHRASES, pick.randint(2, 4))
        needs = pick.sample([p for p in PHRASES if p not in offers], pick.randint(1, 3))
        company = f"{pick.choice(NAMES)} {pick.choice(KINDS)} {n:04d}"
        profiles.append(
            {
                "company": company,
                "country": pick.choice(COUNTRIES),
                "sectors": pick.sample(SECTORS, pick.choice((1, 1, 2, 2, 3))),
                "offers": offers,
                "needs": needs,
                "open_to_meetings": n % 20 != 7,
            }
        )
    return profiles


#: The columns a profile is written with (search_vector and search_text: its trigger).
COLUMNS = (
    "person_id", "company", "company_key", "country", "sectors", "offers", "needs",
    "offer_terms", "need_terms", "summary", "open_to_meetings", "updated_at",
)  # fmt: skip

INSERT_PEOPLE = """
    INSERT INTO person (email, name, calendar_token)
    SELECT 'profile-' || n || '@bench.example', 'Profile ' || n, md5('bench-calendar-' || n)
      FROM generate_series(1, $1) AS n
    RETURNING id"""


def company_key(company: str) -> str:
    """The company as matching compares it (folded, spaces collapsed)."""
    return " ".join(fold(company).split())


async def add_profiles(
    conn: asyncpg.Connection[Any], person_ids: list[int], profiles: list[dict[str, Any]]
) -> None:
    """A profile for each person, terms computed as a save computes them, by COPY."""
    now = datetime.now(UTC)
    rows = [
        (
            person_id,
            p["company"],
            company_key(p["company"]),
            p["country"],
            p["sectors"],
            p["offers"],
            p["needs"],
            terms_of(p["offers"]),
            terms_of(p["needs"]),
            p.get("summary"),
            p.get("open_to_meetings", True),
            now,
        )
        for person_id, p in zip(person_ids, profiles, strict=True)
    ]
    await conn.copy_records_to_table("business_profile", records=rows, columns=COLUMNS)


async def make_fair(conn: asyncpg.Connection[Any], count: int = PROFILES) -> Fair:
    """`count` generated profiles and the viewer's; the viewer's bearer token."""
    profiles = generated(count)
    async with conn.transaction():
        person_ids = [r["id"] for r in await conn.fetch(INSERT_PEOPLE, count)]
        await add_profiles(conn, person_ids, profiles)
        viewer = await add_person(conn, NewPerson(email="viewer@bench.example", roles=["ATTENDEE"]))
        await add_profiles(conn, [viewer], [VIEWER])
        token = await issue_token(conn, viewer, datetime.now(UTC), TOKEN_LIFETIME)
    await conn.execute("ANALYZE business_profile")
    closed = sum(not p["open_to_meetings"] for p in profiles)
    return Fair(profiles=count, closed=closed, viewer_id=viewer, token=token)
