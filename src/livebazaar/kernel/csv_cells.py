"""CSV cells a spreadsheet opens as text, never as a formula (CSV injection), for the orders
export a cooperative opens in a spreadsheet and a courier prints labels from, and the payout
batch file its treasurer takes to the bank (payouts/batch_csv.py). In the kernel so that
features may use it (they never import the web layer).

The rule, decided for the orders export:

1. Every cell is quoted (`csv.QUOTE_ALL`, in `writer`), so a separator or a line break inside
   a buyer's text stays inside its cell for a reader that splits on the file's commas.
2. Quoting alone does not stop a spreadsheet evaluating a cell that starts with `=`, `+`, `-`
   or `@`; and one that opens the file split on `;`, tab or `|` (a locale's default, or the
   user's choice) makes a new cell after each of those, so `Bob;=1+2` would start a formula
   there. So each *segment* of a cell (its start, and what follows any of `,` `;` tab `|`
   CR LF, leading spaces skipped) that starts with one of those four characters gets an
   apostrophe before that character: the spreadsheet shows it as text.
3. Except a cell made only of digits, spaces and `+ - ( ) . /` (a phone number such as
   `+250 788 123 456`, a postal code, an amount): with no letters it names no function and no
   cell, so it cannot do harm as a formula, and it must reach the courier's label unchanged
   (an apostrophe there ended up printed on labels). A spreadsheet may still show such a
   cell computed (`+250-788` as -538): the file keeps it as written, which is what label
   software reads.
"""

from __future__ import annotations

import csv
import re
from typing import Any

_SEPARATOR = re.compile(r"([,;\t|\r\n])")
_TRIGGERS = ("=", "+", "-", "@")
_HARMLESS = re.compile(r"[0-9 +\-()./]*")


def safe_cell(text: str) -> str:
    """`text` as a cell no spreadsheet runs as a formula (the rule above)."""
    if _HARMLESS.fullmatch(text):
        return text
    parts = _SEPARATOR.split(text)  # separators kept, at the odd indexes
    for i in range(0, len(parts), 2):
        segment = parts[i]
        body = segment.lstrip(" ")
        if body.startswith(_TRIGGERS):
            parts[i] = segment[: len(segment) - len(body)] + "'" + body
    return "".join(parts)


def writer(buffer: Any) -> Any:
    """A csv writer that quotes every cell (rule 1); pass each cell through `safe_cell`."""
    return csv.writer(buffer, quoting=csv.QUOTE_ALL)
