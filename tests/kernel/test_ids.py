from __future__ import annotations

import uuid

from livebazaar.kernel.ids import new_id


def test_ids_are_uuid7_unique_and_time_ordered() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    parsed = [uuid.UUID(i) for i in ids]
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in parsed)
    # The first 48 bits are milliseconds: ids made later never sort before earlier ones' ms.
    stamps = [u.int >> 80 for u in parsed]
    assert stamps == sorted(stamps)
