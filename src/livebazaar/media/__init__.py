"""Media: stream keys, ingest (RTMP server, WHIP through the worker), media workers, LL-HLS
playlists, the SegmentStore, and replays."""

from livebazaar.media.actions import IssuedStreamKey, do_issue_stream_key, do_record_replay
from livebazaar.media.errors import InvalidStreamKey, NoRecording
from livebazaar.media.models import Recording, StreamKey
from livebazaar.media.queries import (
    check_stream_key,
    get_recording,
    recorded_show_ids,
    vod_offset,
)
from livebazaar.media.schemas import PlaybackOut, StreamKeyOut
from livebazaar.media.sessions import MediaService, PublisherBusy, ShowVideo, WorkerFailed
from livebazaar.media.store import LocalSegmentStore, SegmentStore, segment_store_from_url

__all__ = [
    "InvalidStreamKey",
    "IssuedStreamKey",
    "LocalSegmentStore",
    "MediaService",
    "NoRecording",
    "PlaybackOut",
    "PublisherBusy",
    "Recording",
    "SegmentStore",
    "ShowVideo",
    "StreamKey",
    "StreamKeyOut",
    "WorkerFailed",
    "check_stream_key",
    "do_issue_stream_key",
    "do_record_replay",
    "get_recording",
    "recorded_show_ids",
    "segment_store_from_url",
    "vod_offset",
]
