"""SQL of meeting matches: the open profiles that fit a person's profile best.

One statement reads the viewer's profile and ranks the others: the overlaps (what each
offers that the viewer needs, what it needs that the viewer offers, the sectors both
are in) and the score are computed in SQL, the GIN indexes on offer_terms, need_terms
and sectors (migration 0009) find the candidates, and only the best `limit` rows leave
the database, with the names of their shared sectors in the language asked.

The score, 0..1, is in tiers so that each ranks above the next whatever the coverage:
a two-way fit (it offers something the viewer needs and needs something the viewer
offers) scores above 2/3, a one-way fit between 1/3 and 0.55, sharing sectors alone at
most 0.07. Within a tier it grows with 0.45 × the share of the viewer's need terms it
offers, 0.35 × the share of the viewer's offer terms it needs and 0.2 × the share of
the viewer's sectors it is in. Terms include their broader capabilities
(server/domain/meetings/capabilities.py), so an exact match ("usinage CNC" for "usinage
CNC") covers more of the viewer's terms than a broader one ("usinage") and ranks higher.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.db.queries.common import Executor
from server.db.queries.meetings import ProfileRow

#: Within a tier: the weights of the three shares (they add up to 1).
NEED_WEIGHT, OFFER_WEIGHT, SECTOR_WEIGHT = 0.45, 0.35, 0.2


@dataclass(frozen=True, slots=True)
class CandidateRow:
    profile: ProfileRow
    #: Its offer terms the viewer needs, and its need terms the viewer offers.
    gives: list[str]
    takes: list[str]
    #: The names of the sectors both are in, in the language asked.
    shared_sectors: list[str]
    score: float


PROFILE_COLUMNS = (
    "p.id, p.person_id, p.exhibitor_id, p.company, p.company_key, p.country, p.sectors, "
    "p.offers, p.needs, p.offer_terms, p.need_terms, p.summary, p.open_to_meetings, "
    "p.updated_at"
)
_PROFILE_FIELDS = ProfileRow.__dataclass_fields__.keys()


def _share(part: str, whole: str) -> str:
    """cardinality(part) / cardinality(whole), 0 for an empty whole."""
    return f"coalesce(cardinality({part})::float8 / nullif(cardinality({whole}), 0), 0)"


def _common(mine: str, theirs: str) -> str:
    """The elements of array `mine` that are in array `theirs` (a cheaper plan than
    INTERSECT: no hashing, arrays of a few elements)."""
    return f"ARRAY(SELECT x FROM unnest({mine}) AS x WHERE x = any({theirs}))"


#: Who may be matched with the viewer `v`: open, and neither the viewer's profile, nor
#: company, nor stand.
_OTHERS = """p.open_to_meetings
       AND p.id <> v.id
       AND p.company_key <> v.company_key
       AND (p.exhibitor_id IS NULL OR v.exhibitor_id IS NULL OR p.exhibitor_id <> v.exhibitor_id)"""
_GIVES = "p.offer_terms && v.need_terms"
_TAKES = "p.need_terms && v.offer_terms"
#: The tiers, best first: (name, which of the others are in it, its score's base).
_TIERS = (
    ("two_way", f"{_GIVES} AND {_TAKES}", 2),
    ("one_way", f"({_GIVES}) <> ({_TAKES})", 1),
    ("sector_only", f"p.sectors && v.sectors AND NOT ({_GIVES}) AND NOT ({_TAKES})", 0),
)
_NONE = "'{}'::text[]"


def _tier(name: str, condition: str, base: int) -> str:
    """A CTE: the profiles of one tier and their overlaps with the viewer's."""
    gives = _common("p.offer_terms", "v.need_terms") if base else _NONE
    takes = _common("p.need_terms", "v.offer_terms") if base else _NONE
    return f"""{name} AS MATERIALIZED (
    SELECT p.id, v.need_terms, v.offer_terms, v.sectors AS viewer_sectors,
           {gives} AS gives,
           {takes} AS takes,
           {_common("p.sectors", "v.sectors")} AS shared
      FROM viewer v JOIN business_profile p ON {condition}
     WHERE {_OTHERS}
)"""


def _ranked(name: str, base: int) -> str:
    """The best `$2` of one tier, scored."""
    score = (
        f"({base} + {NEED_WEIGHT} * {_share('f.gives', 'f.need_terms')}"
        f" + {OFFER_WEIGHT} * {_share('f.takes', 'f.offer_terms')}"
        f" + {SECTOR_WEIGHT} * {_share('f.shared', 'f.viewer_sectors')}) / 3"
    )
    return f"""(SELECT f.id, f.gives, f.takes, f.shared,
            {score} AS score
       FROM {name} f ORDER BY score DESC, f.id LIMIT $2)"""


#: Each tier is a materialized CTE, and their best rows are appended in tier order
#: under one LIMIT: PostgreSQL runs a branch of an Append only when the ones before it
#: gave fewer rows than the limit, and a CTE only when it is read, so a tier below a
#: full page is never computed (most profiles share a sector with the viewer; none of
#: them is looked at when twenty two-way fits exist).
CANDIDATES = f"""
WITH viewer AS (
    SELECT id, company_key, exhibitor_id, offer_terms, need_terms, sectors
      FROM business_profile WHERE person_id = $1
), {", ".join(_tier(*tier) for tier in _TIERS)}, ranked AS (
    {" UNION ALL ".join(_ranked(name, base) for name, _, base in _TIERS)}
    LIMIT $2
)
SELECT {PROFILE_COLUMNS}, r.gives, r.takes, round(r.score::numeric, 4)::float8 AS score,
       ARRAY(SELECT coalesce(CASE WHEN $3 = 'en' THEN t.name_en END, t.name_fr, x.id)
               FROM unnest(r.shared) WITH ORDINALITY AS x(id, n)
               LEFT JOIN sector t ON t.id = x.id
              ORDER BY n) AS shared_sectors
  FROM ranked r JOIN business_profile p ON p.id = r.id
 ORDER BY r.score DESC, r.id"""


async def candidates(db: Executor, person_id: int, limit: int, lang: str) -> list[CandidateRow]:
    """The `limit` open profiles that fit the profile of `person_id` best, best first
    (then by id): never that profile, its company (same company_key) or its stand (same
    exhibitor_id); none when the person has no profile. `lang` ('fr' or 'en') names
    the shared sectors. Scores are rounded to 4 decimals (the order is the exact one)."""
    rows = await db.fetch(CANDIDATES, person_id, limit, lang)
    return [
        CandidateRow(
            profile=ProfileRow(**{k: r[k] for k in _PROFILE_FIELDS}),
            gives=r["gives"],
            takes=r["takes"],
            shared_sectors=r["shared_sectors"],
            score=r["score"],
        )
        for r in rows
    ]
