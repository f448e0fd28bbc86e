"""Text every feature shares: ISO 3166-1 country codes, no NUL characters, and `N_`, the
mark on English text that the web layer shows translated (refusals' titles)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

__all__ = ["ISO_3166_ALPHA2", "N_", "Clean", "CountryCode", "check_country", "no_nul"]

# ISO 3166-1 alpha-2: the 249 officially assigned codes.
ISO_3166_ALPHA2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 (a readable table of codes)
)


def check_country(code: str) -> str:
    if code not in ISO_3166_ALPHA2:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


CountryCode = Annotated[
    str,
    Field(min_length=2, max_length=2, examples=["CN", "RW", "PE"]),
    AfterValidator(check_country),
]


def no_nul(value: str) -> str:
    """PostgreSQL text cannot hold NUL; refuse it at the door on every engine."""
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


Clean = AfterValidator(no_nul)


def N_(message: str) -> str:  # noqa: N802 (the gettext marker's conventional name)
    """Marks a msgid for `pybabel extract` (a default keyword) and translates nothing: the
    kernel and the features know no language; web/problems.py translates per request."""
    return message
