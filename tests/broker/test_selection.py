"""The broker URL chooses the adapter; bootstrap builds it; an unknown scheme is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from livebazaar.bootstrap import build_container
from livebazaar.broker.memory import MemoryBroker
from livebazaar.broker.nats import NatsBroker
from livebazaar.broker.redis import RedisBroker
from livebazaar.broker.selection import broker_from_url
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("memory://", MemoryBroker),
        ("redis://127.0.0.1:6379/0", RedisBroker),
        ("rediss://user:secret@cache.example:6380/1", RedisBroker),
        ("nats://127.0.0.1:4222", NatsBroker),
        ("tls://nats.example:4222", NatsBroker),
    ],
)
async def test_the_url_scheme_chooses_the_adapter(url: str, kind: type) -> None:
    broker = broker_from_url(url, prefix="livebazaar", buffer_size=100)
    assert isinstance(broker, kind)
    await broker.close()  # never connected: nothing to release


def test_an_unknown_scheme_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown scheme 'kafka'.*redis://.*nats://") as err:
        broker_from_url("kafka://user:secret@host:9092", prefix="livebazaar", buffer_size=100)
    assert "secret" not in str(err.value)


async def test_bootstrap_builds_the_configured_broker(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, broker_url="redis://127.0.0.1:6379/0", broker_prefix="lb.x")
    container = build_container(settings)
    assert isinstance(container.broker, RedisBroker)
    await container.close()
    default = build_container(make_settings(tmp_path, database_url=settings.database_url))
    assert isinstance(default.broker, MemoryBroker)
    await default.close()


def test_a_prefix_must_be_usable_as_keys_and_subjects(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        make_settings(tmp_path, broker_prefix="two words")
    with pytest.raises(ValidationError):
        make_settings(tmp_path, broker_prefix="ends.")
