"""docs/roles.md's table is the code's: live.RULES (who holds each power), with where each is
used, read off the authorization matrix's rows (tests/test_authz_matrix.py: a row's last
power), or, for what the matrix cannot call, ELSEWHERE. On a change to the table, paste the
table this test prints into docs/roles.md."""

from __future__ import annotations

import re
from pathlib import Path

from livebazaar.accounts import Role
from livebazaar.live import RULES, Power
from tests.test_authz_matrix import ROWS, Row

ELSEWHERE = {
    Power.PUBLISH_VIDEO: "`POST /shows/{show_id}/whip` with the studio's session, no key",
}
ROLE_DOC = Path(__file__).parents[1] / "docs" / "roles.md"
TABLE_START, TABLE_END = "<!-- role table: start -->", "<!-- role table: end -->"
_SAME_THING = {
    "scheduled_show_id": "show_id", "invited_show_id": "show_id",
    "cohost_id": "user_id", "invitee_id": "user_id", "newcomer_id": "user_id",
}  # fmt: skip


def _where(power: Power) -> str:
    def short(row: Row) -> str:
        path = re.sub(
            r"\{([a-z_]+)\}",
            lambda m: "{" + _SAME_THING.get(m[1], m[1]) + "}",
            row.path.removeprefix("/api/v1"),
        )
        return f"`{row.method} {path}`"

    routes = dict.fromkeys(short(row) for row in ROWS if row.powers and row.powers[-1] is power)
    return ", ".join(routes) or ELSEWHERE[power]


def role_table() -> str:
    lines = [
        "| What | Admin | Owner | Host | Moderator | Co-host | Where |",
        "|---|---|---|---|---|---|---|",
    ]
    for power, rule in RULES.items():
        columns = (Role.OWNER, Role.HOST, Role.MODERATOR)
        shop = ["✓" if role in rule.roles else "—" for role in columns]
        if rule.shop_wide or rule.cohost is False:
            cohost = "—"
        else:
            cohost = "✓" if rule.cohost is True else f"with `{rule.cohost}`"
        lines.append(f"| {rule.what} | ✓ | {' | '.join(shop)} | {cohost} | {_where(power)} |")
    return "\n".join(lines)


def test_every_power_is_tried_by_the_matrix_or_said_where_it_is_tested() -> None:
    used = {row.powers[-1] for row in ROWS if row.powers}
    assert set(Power) - used == set(ELSEWHERE)


def test_the_role_table_in_the_docs_is_the_code_s() -> None:
    # Given docs/roles.md, whose table sits between two markers
    text = ROLE_DOC.read_text(encoding="utf-8")
    documented = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    # Then it is live.RULES as the matrix tries it (paste this test's table there on a change)
    assert documented == role_table(), f"docs/roles.md should hold:\n\n{role_table()}\n"
