"""Which new passwords are refused: those an attacker would guess early.

zxcvbn (Dropbox's estimator, kept on PyPI) counts how many guesses a cracker needs, knowing
the most common passwords, words, names, keyboard walks, dates, repeats and l33t spellings,
and, here, the account's own email, name and the site's name. A password needing fewer than
10^8 guesses (its score below 3) is refused with WeakPassword: `password` and `12345678` are
among the first tried; three or four uncommon words pass. Length bounds stay RegisterIn's
(8 to 256 characters); zxcvbn reads the first 72, beyond which its cost grows and a password
is long enough.
"""

from __future__ import annotations

import re

import anyio.to_thread
from zxcvbn import zxcvbn

from livebazaar.accounts.errors import WeakPassword

MIN_SCORE = 3  # zxcvbn: "safely unguessable" (10^8 guesses or more)
ESTIMATED_CHARS = 72
SITE_WORDS = ("livebazaar", "live", "bazaar", "shop", "pearl", "pearls", "coffee")


def personal_words(email: str, display_name: str) -> list[str]:
    """The words of the account's email and name, which a guesser tries first."""
    words = re.split(r"[^\w]+", f"{email} {display_name}".lower())
    return [w for w in words if w] + list(SITE_WORDS)


def _score(password: str, words: list[str]) -> int:
    score: int = zxcvbn(password[:ESTIMATED_CHARS], user_inputs=words)["score"]
    return score


async def check_password_strength(password: str, *, email: str, display_name: str) -> None:
    """Raise WeakPassword unless `password` is hard to guess (off the event loop: tens of ms)."""
    words = personal_words(email, display_name)
    if await anyio.to_thread.run_sync(_score, password, words) < MIN_SCORE:
        raise WeakPassword()
