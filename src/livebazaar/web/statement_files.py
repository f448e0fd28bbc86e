"""A producer's statement as files people keep: CSV (every cell through kernel/csv_cells.py)
and PDF (fpdf2, pure Python), in the reader's language, amounts formatted by web/numbers.py.

The PDF uses fpdf2's core font Helvetica, which needs no font file, so it renders the same on
any machine installed from PyPI alone. Its encoding is Latin-1: English, Spanish and French
text fits; anything else (Chinese labels, a producer's name in Chinese) is transliterated to
Latin-1 where NFKD can (accents dropped) and written as "?" otherwise, so a Chinese reader
gets the PDF's labels in English (the CSV and the page carry every language).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable

from fpdf import FPDF

from livebazaar.kernel import csv_cells
from livebazaar.ledger.schemas import StatementLineOut, StatementOut, UpliftOut
from livebazaar.web.i18n import translations
from livebazaar.web.numbers import NBSP, format_minor

Gettext = Callable[[str], str]
_LATIN1_LOCALES = ("en", "es", "fr")


def signed_money(amount_minor: int, currency: str, locale: str) -> str:
    """ "+4.00 USD", "-1.50 USD", "0.00 USD" in the locale's way."""
    sign = "+" if amount_minor > 0 else "-" if amount_minor < 0 else ""
    return sign + format_minor(abs(amount_minor), currency, locale)


def uplift_text(u: UpliftOut, currency: str, locale: str) -> str:
    """ "+4.00 USD per bag"; "" without a reference price or units."""
    if u.uplift_per_unit is None or u.reference_price is None:
        return ""
    _ = translations(locale).gettext
    unit = u.reference_price.unit or _("unit")
    amount = signed_money(u.uplift_per_unit, currency, locale)
    return _("{amount} per {unit}").format(amount=amount, unit=unit)


def _kind(line: StatementLineOut, _: Gettext) -> str:
    names = {
        "sale": _("Sale"), "refund": _("Refund"), "chargeback": _("Chargeback"),
        "payout_settled": _("Payout"), "payout": _("Payout"), "correction": _("Correction"),
    }  # fmt: skip
    return names.get(line.kind, line.kind)


def _detail(line: StatementLineOut, currency: str, locale: str, _: Gettext) -> str:
    """What a person needs beside the amount: a sale's gross, share and deductions; a
    payout's reference."""
    parts: list[str] = []
    if line.gross_minor is not None:
        parts.append(
            _("gross {amount}").format(amount=format_minor(line.gross_minor, currency, locale))
        )
    if line.share_bps is not None:
        parts.append(_("share {bps} bps").format(bps=line.share_bps))
    for d in line.deductions:
        parts.append(f"{d.kind.value} {format_minor(d.amount_minor, currency, locale)}")
    if line.reference:
        parts.append(_("reference {reference}").format(reference=line.reference))
    return "; ".join(parts)


CSV_HEADER = (
    "date", "kind", "order_id", "show_id", "product_id", "units", "amount_minor", "amount",
    "gross_minor", "share_bps", "deductions", "posting_id", "sale_posting_id", "payout_id",
    "reference",
)  # fmt: skip


def statement_csv(st: StatementOut, locale: str) -> bytes:
    """The lines between an opening and a closing row, then the uplift per product; machine
    columns (minor units, ids) beside the formatted ones."""
    buffer = io.StringIO()
    out = csv_cells.writer(buffer)
    cur = st.currency

    def row(*cells: object) -> None:
        out.writerow([csv_cells.safe_cell("" if c is None else str(c)) for c in cells])

    row(*CSV_HEADER)
    row(
        st.from_,
        "opening",
        "",
        "",
        "",
        "",
        st.opening_minor,
        format_minor(st.opening_minor, cur, locale),
    )
    for x in st.lines:
        deductions = " ".join(
            f"{d.kind.value}:{d.amount_minor}:{d.posting_id}" for d in x.deductions
        )
        row(x.date, x.kind, x.order_id, x.show_id, x.product_id, x.units, x.amount_minor,
            format_minor(x.amount_minor, cur, locale), x.gross_minor, x.share_bps, deductions,
            x.posting_id, x.sale_posting_id, x.payout_id, x.reference)  # fmt: skip
    row(
        st.to,
        "closing",
        "",
        "",
        "",
        "",
        st.closing_minor,
        format_minor(st.closing_minor, cur, locale),
    )
    row()
    row("product_id", "title", "units", "received_minor", "reference_price_minor", "unit",
        "received_per_unit_minor", "uplift_per_unit_minor", "uplift")  # fmt: skip
    for u in st.uplift:
        ref = u.reference_price
        row(u.product_id, u.title, u.units, u.received_minor, ref.amount_minor if ref else None,
            ref.unit if ref else None, u.received_per_unit, u.uplift_per_unit,
            uplift_text(u, cur, locale))  # fmt: skip
    return buffer.getvalue().replace(NBSP, " ").encode()


def _latin1(text: str) -> str:
    """`text` in Helvetica's Latin-1: accents folded where the letter is outside it, "?" for
    the rest."""
    text = text.replace(NBSP, " ").replace("\u202f", " ")
    if all(ord(c) < 256 for c in text):
        return text
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c if ord(c) < 256 else "?" for c in folded if not unicodedata.combining(c))


def statement_pdf(st: StatementOut, locale: str) -> bytes:
    """One A4 document: heading, opening, the lines, closing, the uplift per product."""
    locale = locale if locale in _LATIN1_LOCALES else "en"
    _ = translations(locale).gettext
    cur = st.currency
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    def text(line: str, size: int = 10, style: str = "") -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")

    text(_("Statement for {name}").format(name=st.producer_name), 14, "B")
    text(_("{start} to {end}, in {currency}").format(start=st.from_, end=st.to, currency=cur))
    text(
        _("Opening balance: {amount}").format(amount=format_minor(st.opening_minor, cur, locale)),
        style="B",
    )
    for x in st.lines:
        head = f"{x.date}  {_kind(x, _)}  {signed_money(x.amount_minor, cur, locale)}"
        units = "" if x.units is None else f"  x{x.units}"
        text(head + units)
        detail = _detail(x, cur, locale, _)
        ids = f"posting {x.posting_id}" + (f", order {x.order_id}" if x.order_id else "")
        text(f"    {detail}  ({ids})" if detail else f"    ({ids})", 8)
    text(
        _("Closing balance: {amount}").format(amount=format_minor(st.closing_minor, cur, locale)),
        style="B",
    )
    if st.uplift:
        text(_("What you received against the farm-gate price"), 12, "B")
    for u in st.uplift:
        per_unit = (
            "" if u.received_per_unit is None else format_minor(u.received_per_unit, cur, locale)
        )
        line = _("{title}: {units} sold, {per_unit} each").format(
            title=u.title, units=u.units, per_unit=per_unit
        )
        if uplift := uplift_text(u, cur, locale):
            line += f" ({uplift})"
        text(line)
    return bytes(pdf.output())
