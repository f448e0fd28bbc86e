"""SegmentStore: one behavioural suite over both adapters, S3 against a real server over HTTP.

The S3 adapter talks to moto's standalone server, started once for this module as a child
process on a free port and always stopped at the end; each test gets a bucket of its own.
Every wait is bounded, so a server that never answers fails the module instead of hanging.
"""

from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import ClientError

from livebazaar.media.store import (
    CACHE_IMMUTABLE,
    CACHE_MUTABLE,
    LocalSegmentStore,
    S3SegmentStore,
    SegmentStore,
    content_type_for,
    segment_store_from_url,
)
from tests.media.s3 import ACCESS_KEY, SECRET_KEY, make_public

INIT = "shows/1/v0/init.mp4"
PART = "shows/1/v0/part-12.3.m4s"
PLAYLIST = "shows/1/v0/index.m3u8"
BAD_KEYS = [
    "",
    "/shows/1/init.mp4",
    "shows/../../etc/passwd",
    "..",
    "shows/./init.mp4",
    "shows/.hidden",
    "shows\\1\\init.mp4",
    "shows//init.mp4",
    "shows/1/",
    "shows/1/part 1.m4s",
    "shows/1/pärt.m4s",
    "shows/1/%2e%2e/init.mp4",
    "a" * 1025,
]


def _bucket() -> str:
    return f"lb-test-{uuid.uuid4().hex[:16]}"


def _s3_store(endpoint: str, **options: str) -> S3SegmentStore:
    return S3SegmentStore(
        endpoint, _bucket(), ACCESS_KEY, SECRET_KEY, create_bucket=True, **options
    )


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> SegmentStore:
    if request.param == "local":
        return LocalSegmentStore(tmp_path / "media")
    return _s3_store(request.getfixturevalue("s3_endpoint"))


def _put(store: SegmentStore, key: str, data: bytes, *, immutable: bool = True) -> None:
    store.put(key, data, content_type=content_type_for(key), immutable=immutable)


# The port's behaviour, for both adapters


def test_put_then_get_round_trips_the_bytes(store: SegmentStore) -> None:
    data = bytes(range(256)) * 64

    _put(store, PART, data)

    assert store.get(PART) == data
    assert store.exists(PART)


def test_a_mutable_object_can_be_overwritten(store: SegmentStore) -> None:
    _put(store, PLAYLIST, b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n", immutable=False)

    _put(store, PLAYLIST, b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n", immutable=False)

    assert store.get(PLAYLIST) == b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n"


def test_a_missing_key_does_not_exist_and_get_raises_key_error(store: SegmentStore) -> None:
    _put(store, INIT, b"init")

    assert not store.exists(PART)
    assert not store.exists("shows/1")  # a "directory" is not an object
    with pytest.raises(KeyError):
        store.get(PART)
    with pytest.raises(KeyError):
        store.get("shows/1/v0")


def test_list_returns_the_keys_under_a_string_prefix_sorted(store: SegmentStore) -> None:
    keys = [PART, INIT, "shows/1/v0/part-12.4.m4s", "shows/1/v1/init.mp4", "shows/10/v0/init.mp4"]
    for key in keys:
        _put(store, key, b"x")

    assert store.list("shows/1/v0/") == sorted([PART, INIT, "shows/1/v0/part-12.4.m4s"])
    assert store.list("shows/1/v0/part-") == [PART, "shows/1/v0/part-12.4.m4s"]
    assert store.list("shows/1/") == sorted([PART, INIT, "shows/1/v0/part-12.4.m4s", keys[3]])
    assert store.list("shows/1") == sorted(keys)  # a plain prefix, as in S3
    assert store.list("") == sorted(keys)
    assert store.list("shows/2/") == []


def test_delete_removes_the_keys_and_ignores_missing_ones(store: SegmentStore) -> None:
    for key in (INIT, PART, PLAYLIST):
        _put(store, key, b"x")

    store.delete([INIT, PART, "shows/1/v0/never-written.m4s"])
    store.delete([])

    assert store.list("") == [PLAYLIST]
    assert not store.exists(INIT)


def test_delete_refuses_a_bare_string(store: SegmentStore) -> None:
    _put(store, "a", b"x")

    with pytest.raises(TypeError):
        store.delete("a")

    assert store.exists("a")


@pytest.mark.parametrize("key", BAD_KEYS)
def test_a_bad_key_is_rejected_and_nothing_is_written(
    store: SegmentStore, key: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="invalid media key"):
        _put(store, key, b"x")
    for call in (store.get, store.exists, store.public_url, lambda k: store.delete([k])):
        with pytest.raises(ValueError, match="invalid media key"):
            call(key)

    assert store.list("") == []
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


@pytest.mark.parametrize("prefix", ["/shows", "../", "shows/../", "shows//", "a\\b", ".tmp"])
def test_a_bad_prefix_is_rejected(store: SegmentStore, prefix: str) -> None:
    with pytest.raises(ValueError, match="invalid media key prefix"):
        store.list(prefix)


def test_writers_on_several_threads_share_one_store(store: SegmentStore) -> None:
    keys = [f"shows/1/v0/part-{msn}.{part}.m4s" for msn in range(8) for part in range(5)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda key: _put(store, key, key.encode()), keys))

    assert store.list("shows/1/") == sorted(keys)
    assert all(store.get(key) == key.encode() for key in keys)


def test_a_reader_sees_the_old_or_the_new_object_never_a_mix(store: SegmentStore) -> None:
    versions = [b"a" * 100_000, b"b" * 150_000]
    _put(store, PLAYLIST, versions[0], immutable=False)
    seen: list[bytes] = []
    done = threading.Event()

    def write() -> None:
        try:
            for index in range(30):
                _put(store, PLAYLIST, versions[index % 2], immutable=False)
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    while not done.is_set():
        seen.append(store.get(PLAYLIST))
    writer.join()

    assert set(seen) <= set(versions)


# The local adapter


def test_local_files_land_where_local_path_says(tmp_path: Path) -> None:
    store = LocalSegmentStore(tmp_path / "media")

    _put(store, PART, b"part")

    assert store.local_path(PART) == tmp_path / "media" / "shows" / "1" / "v0" / "part-12.3.m4s"
    assert store.local_path(PART).read_bytes() == b"part"


def test_local_temp_file_is_invisible_while_a_put_is_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalSegmentStore(tmp_path / "media")
    _put(store, PLAYLIST, b"old", immutable=False)
    real_replace = os.replace
    seen: list[tuple[list[str], list[str], bytes, bool]] = []

    def observe_then_replace(src: str, dst: str) -> None:
        on_disk = sorted(os.listdir(Path(dst).parent))
        seen.append((on_disk, store.list(""), store.get(PLAYLIST), store.exists(PART)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", observe_then_replace)
    _put(store, PART, b"new part")
    _put(store, PLAYLIST, b"new", immutable=False)

    (part_disk, *while_part), (playlist_disk, *while_playlist) = seen
    assert any(name.startswith(".part-12.3.m4s.") for name in part_disk)
    assert while_part == [[PLAYLIST], b"old", False]
    assert any(name.startswith(".index.m3u8.") for name in playlist_disk)
    assert while_playlist == [[PLAYLIST, PART], b"old", True]
    assert sorted(os.listdir(store.local_path(PART).parent)) == ["index.m3u8", "part-12.3.m4s"]


def test_local_leftover_temp_files_are_not_listed(tmp_path: Path) -> None:
    store = LocalSegmentStore(tmp_path / "media")
    _put(store, INIT, b"init")
    (store.local_path(INIT).parent / ".part-1.0.m4s.x1y2.tmp").write_bytes(b"half")

    assert store.list("") == [INIT]


def test_local_failed_put_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalSegmentStore(tmp_path / "media")

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        _put(store, PART, b"part")

    assert os.listdir(store.local_path(PART).parent) == []


def test_local_http_headers_follow_the_put(tmp_path: Path) -> None:
    store = LocalSegmentStore(tmp_path / "media")
    _put(store, PART, b"part")
    _put(store, PLAYLIST, b"#EXTM3U\n", immutable=False)

    assert store.http_headers(PART) == {
        "Content-Type": "video/iso.segment",
        "Cache-Control": CACHE_IMMUTABLE,
    }
    assert store.http_headers(PLAYLIST) == {
        "Content-Type": "application/vnd.apple.mpegurl",
        "Cache-Control": CACHE_MUTABLE,
    }
    with pytest.raises(KeyError):
        store.http_headers(INIT)


def test_local_public_url_is_the_base_and_the_key(tmp_path: Path) -> None:
    assert LocalSegmentStore(tmp_path).public_url(INIT) == f"/media/{INIT}"
    assert LocalSegmentStore(tmp_path, "/cdn/").public_url(INIT) == f"/cdn/{INIT}"


# The S3 adapter


def test_s3_objects_are_served_over_http_with_the_promised_headers(s3_endpoint: str) -> None:
    store = _s3_store(s3_endpoint)
    make_public(s3_endpoint, store.bucket)
    objects = [
        (INIT, b"ftyp-init", True, "video/mp4", CACHE_IMMUTABLE),
        (PART, b"moof-mdat", True, "video/iso.segment", CACHE_IMMUTABLE),
        (PLAYLIST, b"#EXTM3U\n", False, "application/vnd.apple.mpegurl", CACHE_MUTABLE),
    ]
    for key, data, immutable, _, _ in objects:
        _put(store, key, data, immutable=immutable)

    with httpx.Client(trust_env=False) as http:
        for key, data, _, content_type, cache_control in objects:
            response = http.get(store.public_url(key))
            assert response.status_code == 200
            assert response.content == data
            assert response.headers["content-type"] == content_type
            assert response.headers["cache-control"] == cache_control


def test_s3_public_url_is_the_cdn_base_or_the_bucket_url(s3_endpoint: str) -> None:
    store = _s3_store(s3_endpoint)
    cdn = _s3_store(s3_endpoint, public_base_url="https://cdn.example.com/live/")

    assert store.public_url(INIT) == f"{s3_endpoint}/{store.bucket}/{INIT}"
    assert cdn.public_url(INIT) == f"https://cdn.example.com/live/{INIT}"


def test_s3_missing_bucket_is_an_error_not_a_missing_key(s3_endpoint: str) -> None:
    store = S3SegmentStore(s3_endpoint, _bucket(), ACCESS_KEY, SECRET_KEY)

    with pytest.raises(ClientError):
        store.get(INIT)


def test_s3_create_bucket_is_idempotent(s3_endpoint: str) -> None:
    store = _s3_store(s3_endpoint)
    _put(store, INIT, b"init")

    again = S3SegmentStore(s3_endpoint, store.bucket, ACCESS_KEY, SECRET_KEY, create_bucket=True)

    assert again.get(INIT) == b"init"


def test_s3_repr_hides_the_credentials(s3_endpoint: str) -> None:
    assert SECRET_KEY not in repr(_s3_store(s3_endpoint))


# Building a store from the media_store_url setting


@pytest.mark.parametrize("path", ["var/media", "/srv/livebazaar/media"])
def test_url_a_plain_path_is_a_local_store(path: str) -> None:
    store = segment_store_from_url(path)

    assert isinstance(store, LocalSegmentStore)
    assert store.root == Path(path)
    assert store.public_url(INIT) == f"/media/{INIT}"


def test_url_file_is_a_local_store_with_its_public_base(tmp_path: Path) -> None:
    store = segment_store_from_url(f"file://{tmp_path}?public_base=/hls")

    assert isinstance(store, LocalSegmentStore)
    assert store.root == tmp_path
    assert store.public_url(INIT) == f"/hls/{INIT}"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://example.com/media",
        "file://fileserver/media",
        "file:relative/media",
        "file:///srv/media?root=/etc",
        "s3://?endpoint=http://127.0.0.1:9",
        "s3://k:s@bucket?endpoint=http://127.0.0.1:9&public=https://cdn",
        "s3://k:s@bucket?create_bucket=maybe",
    ],
)
def test_url_invalid_forms_are_rejected(url: str) -> None:
    with pytest.raises(ValueError, match=r"store URL|create_bucket"):
        segment_store_from_url(url, environ={})


def test_url_s3_without_credentials_is_rejected() -> None:
    with pytest.raises(ValueError, match="credentials"):
        segment_store_from_url("s3://bucket?endpoint=http://127.0.0.1:9", environ={})


def test_url_s3_with_credentials_in_the_url(s3_endpoint: str) -> None:
    bucket, secret = _bucket(), SECRET_KEY.replace("/", "%2F").replace("+", "%2B")
    url = f"s3://{ACCESS_KEY}:{secret}@{bucket}?endpoint={s3_endpoint}&create_bucket=true"

    store = segment_store_from_url(url, environ={})
    _put(store, INIT, b"init")

    assert isinstance(store, S3SegmentStore)
    assert store.get(INIT) == b"init"
    assert store.public_url(INIT) == f"{s3_endpoint}/{bucket}/{INIT}"


def test_url_s3_credentials_from_the_environment_and_a_region(s3_endpoint: str) -> None:
    environ = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    query = f"endpoint={s3_endpoint}&region=eu-west-1&create_bucket=1&public_base=https://cdn"

    store = segment_store_from_url(f"s3://{_bucket()}?{query}", environ=environ)
    _put(store, INIT, b"init")

    assert isinstance(store, S3SegmentStore)
    assert (store.region, store.get(INIT)) == ("eu-west-1", b"init")
    assert store.public_url(INIT) == f"https://cdn/{INIT}"


def test_content_types_come_from_the_suffix() -> None:
    expected: dict[str, str] = {
        "a/index.m3u8": "application/vnd.apple.mpegurl",
        "a/part-1.2.m4s": "video/iso.segment",
        "a/init.mp4": "video/mp4",
        "a/audio.M4A": "audio/mp4",
        "a.d/noext": "application/octet-stream",
    }

    assert {key: content_type_for(key) for key in expected} == expected
