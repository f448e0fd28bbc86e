"""Text of LL-HLS media playlists (RFC 8216bis): pure functions over a playlist's segments.

`playlist.LivePlaylist` owns the state and calls these; nothing here keeps any.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from livebazaar.media.playlist_items import DECIMALS, Part, PlaylistConfig, Segment

# EXT-X-MAP in a playlist that is not I-frames-only needs version 6; parts, preload hints and
# blocking reload need no higher one (9 is for EXT-X-SKIP, which we do not emit).
PLAYLIST_VERSION = 6
# Parts are listed only for segments that start within this many target durations of the end.
PART_WINDOW_TARGETS = 3
_EPSILON = 1e-9


def decimal(seconds: float) -> str:
    """A decimal-floating-point value: at most 5 decimals, no trailing zeros, at least one."""
    text = f"{seconds:.{DECIMALS}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def program_date_time(when: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as EXT-X-PROGRAM-DATE-TIME wants it."""
    utc = when.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def window_start(segments: Sequence[Segment], config: PlaylistConfig) -> int:
    """Index of the first segment of the live window.

    The last `window_segments` segments, extended backwards while the window would be
    shorter than three target durations (a segment MUST NOT be removed if that happens).
    """
    start = max(0, len(segments) - config.window_segments)
    minimum = 3 * config.target_duration_s
    while start > 0 and sum(s.duration_s for s in segments[start:]) < minimum - _EPSILON:
        start -= 1
    return start


def first_segment_with_parts(
    window: Sequence[Segment], pending: Sequence[Part], config: PlaylistConfig
) -> int:
    """Index in `window` of the first segment whose parts are still listed.

    A closed segment keeps its EXT-X-PART lines while it starts within three target durations
    of the end of the playlist (the end of the last part of the segment in progress).
    """
    limit = PART_WINDOW_TARGETS * config.target_duration_s + _EPSILON
    from_end = sum(p.duration_s for p in pending)
    for i in range(len(window) - 1, -1, -1):
        from_end += window[i].duration_s
        if from_end > limit:
            return i + 1
    return 0


def render_live(
    config: PlaylistConfig,
    segments: Sequence[Segment],
    pending: Sequence[Part],
    next_segment: tuple[int, bool, str],
    ended: bool,
) -> str:
    """The live playlist: window, parts of its last segments, the segment in progress, a hint.

    `next_segment` is (msn, discontinuity pending, init URI) of the segment in progress.
    """
    next_msn, discontinuity, init_uri = next_segment
    start = window_start(segments, config)
    window = segments[start:]
    dseq = sum(1 for s in segments[:start] if s.discontinuity)
    lines = _live_header(config, window[0].msn if window else next_msn, dseq)
    with_parts = first_segment_with_parts(window, pending, config)
    current_init: str | None = None
    for i, segment in enumerate(window):
        lines += _segment_lines(segment, current_init, show_parts=i >= with_parts)
        current_init = segment.init_uri
    if ended:
        lines.append("#EXT-X-ENDLIST")
        return _text(lines)
    if pending:  # the segment in progress opens with its first part
        lines += _opening(discontinuity, init_uri, current_init, None)
        lines += [_part_line(p) for p in pending]
    elif current_init is None:  # nothing listed yet: still say how to decode the hinted part
        lines += _opening(False, init_uri, None, None)
    hint = config.part_uri(next_msn, len(pending))
    lines.append(f'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="{hint}"')
    return _text(lines)


def render_vod(config: PlaylistConfig, segments: Sequence[Segment]) -> str:
    """The replay: every closed segment, discontinuities kept, no parts, ENDLIST."""
    lines = [
        *_header(config),
        "#EXT-X-PLAYLIST-TYPE:VOD",
        f"#EXT-X-MEDIA-SEQUENCE:{segments[0].msn if segments else config.first_msn}",
    ]
    current_init: str | None = None
    for segment in segments:
        lines += _segment_lines(segment, current_init, show_parts=False)
        current_init = segment.init_uri
    lines.append("#EXT-X-ENDLIST")
    return _text(lines)


def _header(config: PlaylistConfig) -> list[str]:
    return [
        "#EXTM3U",
        f"#EXT-X-VERSION:{PLAYLIST_VERSION}",
        f"#EXT-X-TARGETDURATION:{config.target_duration_s}",
    ]


def _live_header(config: PlaylistConfig, media_sequence: int, dseq: int) -> list[str]:
    lines = [
        *_header(config),
        f"#EXT-X-PART-INF:PART-TARGET={decimal(config.part_target_s)}",
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,"
        f"PART-HOLD-BACK={decimal(config.part_hold_back)},HOLD-BACK={decimal(config.hold_back)}",
        f"#EXT-X-MEDIA-SEQUENCE:{media_sequence}",
    ]
    if dseq:  # discontinuities that left the window
        lines.append(f"#EXT-X-DISCONTINUITY-SEQUENCE:{dseq}")
    return lines


def _opening(
    discontinuity: bool, init_uri: str, current_init: str | None, when: datetime | None
) -> list[str]:
    """The tags before a segment's parts: DISCONTINUITY, MAP when it changes, PROGRAM-DATE-TIME."""
    lines = ["#EXT-X-DISCONTINUITY"] if discontinuity else []
    if init_uri != current_init:
        lines.append(f'#EXT-X-MAP:URI="{init_uri}"')
    if when is not None:
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{program_date_time(when)}")
    return lines


def _segment_lines(segment: Segment, current_init: str | None, *, show_parts: bool) -> list[str]:
    lines = _opening(
        segment.discontinuity, segment.init_uri, current_init, segment.program_date_time
    )
    if show_parts:
        lines += [_part_line(p) for p in segment.parts]
    lines += [f"#EXTINF:{decimal(segment.duration_s)},", segment.uri]
    return lines


def _part_line(part: Part) -> str:
    independent = ",INDEPENDENT=YES" if part.independent else ""
    return f'#EXT-X-PART:DURATION={decimal(part.duration_s)},URI="{part.uri}"{independent}'


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"
