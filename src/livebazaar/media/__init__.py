"""Media: stream keys now; ingest (WHIP, RTMP), media workers and LL-HLS arrive with issue 3."""

from livebazaar.media.actions import IssuedStreamKey, do_issue_stream_key
from livebazaar.media.errors import InvalidStreamKey
from livebazaar.media.models import StreamKey
from livebazaar.media.queries import check_stream_key
from livebazaar.media.schemas import StreamKeyOut

__all__ = [
    "InvalidStreamKey",
    "IssuedStreamKey",
    "StreamKey",
    "StreamKeyOut",
    "check_stream_key",
    "do_issue_stream_key",
]
