"""ISO 3166-1 alpha-2 country codes, and a suggestion for a country written by name.

The codes are the 249 the standard assigns (as of 2024). The names are those an
organiser of a fair in Casablanca is likely to type instead of a code, in French and
in English: every African country, the European Union's members and the fair's usual
partners; a name not listed gets no suggestion, only the expected form.
"""

from __future__ import annotations

import re
from typing import Final

from server.domain.imports.formats.refusals import Fault, shown
from server.domain.imports.formats.text import fold

_CODES_TEXT: Final = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN
    BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE
    DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN
    GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE
    KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
    ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA
    PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK
    SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
    UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"""
CODES: Final = frozenset(_CODES_TEXT.split())

#: code: names, French then English and common variants (compared folded: "Égypte",
#: "egypte" and "EGYPTE" are one name).
_NAMES: Final[dict[str, tuple[str, ...]]] = {
    # Africa
    "DZ": ("Algérie", "Algeria"),
    "AO": ("Angola",),
    "BJ": ("Bénin",),
    "BW": ("Botswana",),
    "BF": ("Burkina Faso", "Burkina"),
    "BI": ("Burundi",),
    "CV": ("Cap-Vert", "Cabo Verde", "Cape Verde"),
    "CM": ("Cameroun", "Cameroon"),
    "CF": ("République centrafricaine", "Centrafrique", "Central African Republic"),
    "TD": ("Tchad", "Chad"),
    "KM": ("Comores", "Comoros"),
    "CG": ("Congo", "République du Congo", "Congo-Brazzaville", "Republic of the Congo"),
    "CD": (
        "République démocratique du Congo",
        "RDC",
        "RD Congo",
        "Congo-Kinshasa",
        "Democratic Republic of the Congo",
        "DRC",
    ),
    "CI": ("Côte d'Ivoire", "Ivory Coast"),
    "DJ": ("Djibouti",),
    "EG": ("Égypte", "Egypt"),
    "GQ": ("Guinée équatoriale", "Equatorial Guinea"),
    "ER": ("Érythrée", "Eritrea"),
    "SZ": ("Eswatini", "Swaziland"),
    "ET": ("Éthiopie", "Ethiopia"),
    "GA": ("Gabon",),
    "GM": ("Gambie", "Gambia", "The Gambia"),
    "GH": ("Ghana",),
    "GN": ("Guinée", "Guinea", "Guinée-Conakry"),
    "GW": ("Guinée-Bissau", "Guinea-Bissau"),
    "KE": ("Kenya",),
    "LS": ("Lesotho",),
    "LR": ("Liberia",),
    "LY": ("Libye", "Libya"),
    "MG": ("Madagascar",),
    "MW": ("Malawi",),
    "ML": ("Mali",),
    "MR": ("Mauritanie", "Mauritania"),
    "MU": ("Maurice", "Île Maurice", "Mauritius"),
    "MA": ("Maroc", "Morocco", "Royaume du Maroc", "Kingdom of Morocco"),
    "MZ": ("Mozambique",),
    "NA": ("Namibie", "Namibia"),
    "NE": ("Niger",),
    "NG": ("Nigeria",),
    "RW": ("Rwanda",),
    "ST": ("Sao Tomé-et-Principe", "São Tomé and Príncipe"),
    "SN": ("Sénégal",),
    "SC": ("Seychelles",),
    "SL": ("Sierra Leone",),
    "SO": ("Somalie", "Somalia"),
    "ZA": ("Afrique du Sud", "South Africa"),
    "SS": ("Soudan du Sud", "South Sudan"),
    "SD": ("Soudan", "Sudan"),
    "TZ": ("Tanzanie", "Tanzania"),
    "TG": ("Togo",),
    "TN": ("Tunisie", "Tunisia"),
    "UG": ("Ouganda", "Uganda"),
    "ZM": ("Zambie", "Zambia"),
    "ZW": ("Zimbabwe",),
    # The European Union
    "AT": ("Autriche", "Austria"),
    "BE": ("Belgique", "Belgium"),
    "BG": ("Bulgarie", "Bulgaria"),
    "HR": ("Croatie", "Croatia"),
    "CY": ("Chypre", "Cyprus"),
    "CZ": ("Tchéquie", "République tchèque", "Czechia", "Czech Republic"),
    "DK": ("Danemark", "Denmark"),
    "EE": ("Estonie", "Estonia"),
    "FI": ("Finlande", "Finland"),
    "FR": ("France", "République française"),
    "DE": ("Allemagne", "Germany", "Deutschland"),
    "GR": ("Grèce", "Greece", "EL"),
    "HU": ("Hongrie", "Hungary"),
    "IE": ("Irlande", "Ireland"),
    "IT": ("Italie", "Italy", "Italia"),
    "LV": ("Lettonie", "Latvia"),
    "LT": ("Lituanie", "Lithuania"),
    "LU": ("Luxembourg",),
    "MT": ("Malte", "Malta"),
    "NL": ("Pays-Bas", "Netherlands", "The Netherlands", "Hollande", "Holland"),
    "PL": ("Pologne", "Poland"),
    "PT": ("Portugal",),
    "RO": ("Roumanie", "Romania"),
    "SK": ("Slovaquie", "Slovakia"),
    "SI": ("Slovénie", "Slovenia"),
    "ES": ("Espagne", "Spain", "España"),
    "SE": ("Suède", "Sweden"),
    # Partners and neighbours
    "US": ("États-Unis", "Etats-Unis d'Amérique", "United States", "USA", "U.S.A.", "America"),
    "CN": ("Chine", "China", "République populaire de Chine", "People's Republic of China"),
    "TR": ("Turquie", "Turkey", "Türkiye"),
    "GB": ("Royaume-Uni", "United Kingdom", "UK", "Great Britain", "Angleterre", "England"),
    "CH": ("Suisse", "Switzerland"),
    "NO": ("Norvège", "Norway"),
    "CA": ("Canada",),
    "JP": ("Japon", "Japan"),
    "KR": ("Corée du Sud", "South Korea", "Korea", "Corée"),
    "IN": ("Inde", "India"),
    "BR": ("Brésil", "Brazil"),
    "RU": ("Russie", "Russia"),
    "UA": ("Ukraine",),
    "AE": ("Émirats arabes unis", "EAU", "United Arab Emirates", "UAE"),
    "SA": ("Arabie saoudite", "Saudi Arabia"),
    "QA": ("Qatar",),
    "KW": ("Koweït", "Kuwait"),
    "JO": ("Jordanie", "Jordan"),
    "LB": ("Liban", "Lebanon"),
    "MX": ("Mexique", "Mexico"),
    "SG": ("Singapour", "Singapore"),
    "TW": ("Taïwan",),
    "AU": ("Australie", "Australia"),
    "PK": ("Pakistan",),
    "ID": ("Indonésie", "Indonesia"),
    "MY": ("Malaisie", "Malaysia"),
    "TH": ("Thaïlande", "Thailand"),
    "VN": ("Viêt Nam", "Vietnam"),
}

_PUNCTUATION = re.compile(r"[\s\-'’.]+")


def _key(name: str) -> str:
    return _PUNCTUATION.sub(" ", fold(name)).strip()


_SUGGESTIONS: Final = {_key(name): code for code, names in _NAMES.items() for name in names}


def country_code(text: str) -> str:
    """The ISO code `text` is (any case); Fault otherwise, with a suggestion when `text`
    is a country's name (or a code Europe uses for another: UK, EL)."""
    code = text.strip().upper()
    if code in CODES:
        return code
    guess = _SUGGESTIONS.get(_key(text))
    hint_fr = f" ({guess} ?)" if guess else " (deux lettres, par exemple MA, FR)"
    hint_en = f" ({guess}?)" if guess else " (two letters, e.g. MA, FR)"
    raise Fault(
        "BAD_COUNTRY",
        f"{shown(text)} n'est pas un code ISO 3166{hint_fr}",
        f"{shown(text)} is not an ISO 3166 code{hint_en}",
    )
