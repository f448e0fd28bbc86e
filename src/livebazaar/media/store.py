"""SegmentStore: where LL-HLS init segments, parts, segments and playlists live.

Media workers (separate, synchronous processes) write CMAF objects here; the app writes VOD
playlists and calls the store through `asyncio.to_thread`. Two adapters:

- `LocalSegmentStore`: a directory the app serves itself (`local_path` names the file).
- `S3SegmentStore`: S3-compatible object storage (AWS, MinIO, Ceph, R2...) behind a CDN.

Keys are relative paths such as `shows/<id>/v0/part-12.3.m4s`: `/`-separated segments of
`[A-Za-z0-9._-]`, none starting with a dot (so no `.` or `..`; dot names are the local adapter's
temporary files), at most 1024 bytes. Anything else raises ValueError before any I/O.

`segment_store_from_url` builds an adapter from one string (the `media_store_url` setting):

- `/srv/livebazaar/media` or `var/media`: a local directory, served under `/media`;
- `file:///srv/livebazaar/media?public_base=/media`: the same, absolute, with its URL base;
- `s3://ACCESS_KEY:SECRET_KEY@bucket?endpoint=http://127.0.0.1:9000&region=us-east-1`
  `&public_base=https://cdn.example.com/live&create_bucket=true`: S3. Every query parameter is
  optional: `endpoint` defaults to AWS's (`https://s3.<region>.amazonaws.com`), `region` to
  `us-east-1`, `public_base` to `<endpoint>/<bucket>`. Percent-encode the credentials (an AWS
  secret may hold `/` or `+`). Without them, `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`
  come from the `environ` mapping the caller passes (by default the process environment, read
  at call time, never at import).

An unknown scheme or query parameter raises ValueError, so a typo fails at startup.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast
from urllib.parse import parse_qsl, unquote, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.literals import BucketLocationConstraintType

__all__ = [
    "CACHE_IMMUTABLE",
    "CACHE_MUTABLE",
    "CONTENT_TYPES",
    "LocalSegmentStore",
    "S3SegmentStore",
    "SegmentStore",
    "cache_control",
    "check_key",
    "content_type_for",
    "segment_store_from_url",
]

CONTENT_TYPES: Mapping[str, str] = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".m4a": "audio/mp4",
    ".cmfv": "video/mp4",
    ".cmfa": "audio/mp4",
    ".ts": "video/mp2t",
    ".aac": "audio/aac",
    ".vtt": "text/vtt",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
CACHE_MUTABLE = "public, max-age=1"  # live playlists: LL-HLS clients reload every part

MAX_KEY_BYTES = 1024  # S3's limit, applied to both adapters
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
_PREFIX = re.compile(r"(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*(?:[A-Za-z0-9_-][A-Za-z0-9._-]*)?")
_IMMUTABLE_MODE = 0o444  # the local adapter records `immutable` as a read-only file
_MUTABLE_MODE = 0o644
_DELETE_BATCH = 1000  # S3 DeleteObjects takes at most 1000 keys


class SegmentStore(Protocol):
    """Synchronous object storage for media; every method may be called from any thread."""

    def put(self, key: str, data: bytes, *, content_type: str, immutable: bool) -> None:
        """Store `data` under `key`; readers see the old object or the new one, never a part."""

    def get(self, key: str) -> bytes:
        """The object's bytes; KeyError when there is none."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    def delete(self, keys: Iterable[str]) -> None:
        """Remove these objects; missing ones are ignored."""

    def list(self, prefix: str) -> builtins.list[str]:
        """Every key starting with `prefix` (a plain string prefix), sorted."""

    def public_url(self, key: str) -> str:
        """Where a player fetches the object."""


def check_key(key: str) -> str:
    """`key` itself if it is a valid object key, else ValueError."""
    if not _KEY.fullmatch(key) or len(key) > MAX_KEY_BYTES:
        raise ValueError(f"invalid media key {key!r}")
    return key


def _check_prefix(prefix: str) -> str:
    if not _PREFIX.fullmatch(prefix) or len(prefix) > MAX_KEY_BYTES:
        raise ValueError(f"invalid media key prefix {prefix!r}")
    return prefix


def _check_keys(keys: Iterable[str]) -> builtins.list[str]:
    if isinstance(keys, str):  # a str is an Iterable[str] of one-letter keys: refuse
        raise TypeError("delete() takes an iterable of keys, not one key")
    return [check_key(key) for key in keys]


def content_type_for(key: str) -> str:
    """The Content-Type for a key, from its suffix (application/octet-stream if unknown)."""
    dot = key.rfind(".")
    if dot <= key.rfind("/"):
        return DEFAULT_CONTENT_TYPE
    return CONTENT_TYPES.get(key[dot:].lower(), DEFAULT_CONTENT_TYPE)


def cache_control(*, immutable: bool) -> str:
    """The Cache-Control an object is served with."""
    return CACHE_IMMUTABLE if immutable else CACHE_MUTABLE


class LocalSegmentStore:
    """Objects as files under `root`, served by the app at `{public_base}/{key}`.

    A put writes a hidden temporary file in the target directory and renames it over the key
    (`os.replace`), so readers in any process see whole files only. There is no fsync: after a
    power loss an object may be missing, which a live stream outlives. `immutable` is recorded
    as a read-only file (mode 0444) so `http_headers` can tell the server what to send; the
    content type comes from the key's suffix. Empty directories are left behind by `delete`.
    """

    def __init__(self, root: Path, public_base: str = "/media") -> None:
        self.root = Path(root)
        self.public_base = public_base.rstrip("/")

    def __repr__(self) -> str:
        return f"LocalSegmentStore(root={str(self.root)!r}, public_base={self.public_base!r})"

    def local_path(self, key: str) -> Path:
        """The file that holds (or would hold) `key`."""
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, data: bytes, *, content_type: str, immutable: bool) -> None:
        path = self.local_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.chmod(tmp, _IMMUTABLE_MODE if immutable else _MUTABLE_MODE)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.local_path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self.local_path(key).is_file()

    def delete(self, keys: Iterable[str]) -> None:
        for key in _check_keys(keys):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
                self.local_path(key).unlink()

    def list(self, prefix: str) -> builtins.list[str]:
        directory, _, _ = _check_prefix(prefix).rpartition("/")
        start = self.root.joinpath(*directory.split("/")) if directory else self.root
        found: builtins.list[str] = []
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            relative = Path(dirpath).relative_to(self.root).as_posix()
            base = "" if relative == "." else f"{relative}/"
            found.extend(
                base + name
                for name in filenames
                if not name.startswith(".") and (base + name).startswith(prefix)
            )
        return sorted(found)

    def public_url(self, key: str) -> str:
        return f"{self.public_base}/{check_key(key)}"

    def http_headers(self, key: str) -> dict[str, str]:
        """Content-Type and Cache-Control for serving `key` (KeyError when missing)."""
        try:
            mode = self.local_path(key).stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            raise KeyError(key) from None
        return {
            "Content-Type": content_type_for(key),
            "Cache-Control": cache_control(immutable=not mode & 0o222),
        }


class S3SegmentStore:
    """Objects in an S3-compatible bucket, fetched by players at `{public_base_url}/{key}`.

    One boto3 client, built from its own boto3 Session, shared by every thread (boto3
    clients are thread-safe; the default session is not). Path-style addressing and
    checksums only where an operation requires them, which S3-compatible servers accept.
    Players need read access: give the bucket (or the CDN in front of it) a public-read policy.
    """

    def __init__(
        self,
        endpoint_url: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        public_base_url: str | None = None,
        create_bucket: bool = False,
    ) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.bucket = bucket
        self.region = region
        base = public_base_url or f"{self.endpoint_url}/{bucket}"
        self.public_base_url = base.rstrip("/")
        session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=region
        )
        config = Config(
            s3={"addressing_style": "path"},
            retries={"mode": "standard", "max_attempts": 3},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            max_pool_connections=32,
        )
        self._client: S3Client = session.client("s3", endpoint_url=self.endpoint_url, config=config)
        if create_bucket:
            self._create_bucket()

    def __repr__(self) -> str:  # no credentials
        return f"S3SegmentStore(endpoint_url={self.endpoint_url!r}, bucket={self.bucket!r})"

    def _create_bucket(self) -> None:
        try:
            if self.region == "us-east-1":
                self._client.create_bucket(Bucket=self.bucket)
            else:
                self._client.create_bucket(
                    Bucket=self.bucket,
                    CreateBucketConfiguration={
                        "LocationConstraint": cast("BucketLocationConstraintType", self.region)
                    },
                )
        except ClientError as error:
            if _error_code(error) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    def put(self, key: str, data: bytes, *, content_type: str, immutable: bool) -> None:
        self._client.put_object(
            Bucket=self.bucket,
            Key=check_key(key),
            Body=data,
            ContentType=content_type,
            CacheControl=cache_control(immutable=immutable),
        )

    def get(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as error:
            if _error_code(error) in ("NoSuchKey", "404"):
                raise KeyError(key) from None
            raise
        with contextlib.closing(response["Body"]) as body:
            return body.read()

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as error:
            if _error_code(error) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, keys: Iterable[str]) -> None:
        checked = _check_keys(keys)
        for start in range(0, len(checked), _DELETE_BATCH):
            batch = checked[start : start + _DELETE_BATCH]
            response = self._client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
            )
            if errors := response.get("Errors"):
                failed = ", ".join(f"{e.get('Key')}: {e.get('Code')}" for e in errors)
                raise OSError(f"S3 refused to delete {failed}")

    def list(self, prefix: str) -> builtins.list[str]:
        paginator = self._client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=_check_prefix(prefix))
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def public_url(self, key: str) -> str:
        return f"{self.public_base_url}/{check_key(key)}"


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def segment_store_from_url(
    url: str, *, environ: Mapping[str, str] | None = None
) -> LocalSegmentStore | S3SegmentStore:
    """The adapter a store URL names (forms in the module docstring); ValueError if invalid."""
    parts = urlsplit(url)
    if parts.scheme == "s3":
        return _s3_from_url(url, os.environ if environ is None else environ)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"a file store URL needs an absolute local path: {url!r}")
        query = _query(parts.query, {"public_base"})
        return LocalSegmentStore(Path(unquote(parts.path)), query.get("public_base", "/media"))
    if parts.scheme or not url:  # one-letter schemes would be Windows drives: not supported
        raise ValueError(f"unsupported media store URL {url!r}: use a path, file:// or s3://")
    return LocalSegmentStore(Path(url))


def _s3_from_url(url: str, environ: Mapping[str, str]) -> S3SegmentStore:
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError(f"an s3:// store URL names its bucket: {url!r}")
    query = _query(parts.query, {"endpoint", "region", "public_base", "create_bucket"})
    region = query.get("region", "us-east-1")
    access_key = unquote(parts.username or "") or environ.get("AWS_ACCESS_KEY_ID", "")
    secret_key = unquote(parts.password or "") or environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not access_key or not secret_key:
        raise ValueError("S3 credentials: put them in the URL or set AWS_ACCESS_KEY_ID/SECRET")
    create = query.get("create_bucket", "false").lower()
    if create not in ("true", "false", "1", "0"):
        raise ValueError(f"create_bucket must be true or false, not {create!r}")
    return S3SegmentStore(
        query.get("endpoint", f"https://s3.{region}.amazonaws.com"),
        unquote(parts.hostname),
        access_key,
        secret_key,
        region=region,
        public_base_url=query.get("public_base"),
        create_bucket=create in ("true", "1"),
    )


def _query(query: str, allowed: set[str]) -> dict[str, str]:
    pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    unknown = {name for name, _ in pairs} - allowed
    if unknown:
        raise ValueError(f"unknown media store URL parameters: {', '.join(sorted(unknown))}")
    return dict(pairs)
