"""A live LL-HLS media playlist (RFC 8216bis) that a media worker feeds one event at a time.

The worker cuts CMAF parts (~200 ms) and segments (~1 s) and reports each one here: the model
keeps every closed segment (a replay is a VOD playlist over the same files), renders the live
playlist's sliding window with the parts of its last few segments and a preload hint for the
next part, lets HTTP handlers block until a requested segment or part exists (`_HLS_msn` /
`_HLS_part`), and maps program date-times to (segment, offset) for shop events.

Pure: no I/O, no clock. One instance per rendition, used from one event loop.
"""

from __future__ import annotations

import asyncio
import enum
from datetime import datetime, timedelta

from livebazaar.media.playlist_items import (
    Part,
    PlaylistConfig,
    Segment,
    check_uri,
    rounded,
    rounded_to_integer,
)
from livebazaar.media.playlist_render import render_live, render_vod

__all__ = ["LivePlaylist", "Part", "PlaylistConfig", "ReloadResult", "Segment"]


class ReloadResult(enum.Enum):
    """How a blocking playlist reload ended."""

    READY = "ready"  # the playlist holds what was asked for, or has ended: answer with it
    TIMEOUT = "timeout"  # it did not arrive in time
    TOO_FAR = "too_far"  # _HLS_msn beyond the next segment + 1: answer 400 at once


class LivePlaylist:
    """The playlist of one rendition of one show, from the first part to the replay."""

    def __init__(self, config: PlaylistConfig | None = None) -> None:
        self.config = config or PlaylistConfig()
        self._segments: list[Segment] = []
        self._parts: list[Part] = []  # of the segment in progress
        self._discontinuity = False  # before the next segment
        self._init_uri = self.config.init_uri  # of the next segment
        self._ended = False
        self._changed = asyncio.Event()  # set and replaced on every change

    # -- what the worker reports -------------------------------------------------------------

    def add_part(
        self, msn: int, index: int, uri: str, duration_s: float, independent: bool
    ) -> None:
        """Part `index` of segment `msn` is written and may be served."""
        self._check_open()
        if (msn, index) != self.next_part:
            raise ValueError(f"expected part {self.next_part}, got {(msn, index)}")
        if not 0 < rounded(duration_s) <= rounded(self.config.part_target_s):
            raise ValueError(f"part duration {duration_s} outside (0, PART-TARGET]")
        self._parts.append(Part(msn, index, check_uri(uri), duration_s, independent))
        self._notify()

    def close_segment(
        self, msn: int, uri: str, duration_s: float, program_date_time: datetime
    ) -> None:
        """Segment `msn` (made of the parts reported since the last one) is complete."""
        self._check_open()
        if msn != self.next_msn:
            raise ValueError(f"expected segment {self.next_msn}, got {msn}")
        if rounded(duration_s) <= 0:
            raise ValueError("a segment lasts more than zero seconds")
        if rounded_to_integer(duration_s) > self.config.target_duration_s:
            raise ValueError(f"segment of {duration_s} s exceeds the target duration")
        _check_aware(program_date_time)
        segment = Segment(
            msn=msn,
            uri=check_uri(uri),
            duration_s=duration_s,
            program_date_time=program_date_time,
            parts=tuple(self._parts),
            discontinuity=self._discontinuity,
            init_uri=self._init_uri,
        )
        self._segments.append(segment)
        self._parts = []
        self._discontinuity = False
        self._notify()

    def discontinuity(self, init_uri: str | None = None) -> None:
        """The publisher reconnected: the next segment follows a discontinuity.

        `init_uri` names a new init segment (EXT-X-MAP) when the new stream's codec
        parameters differ. The segment in progress must be closed first.
        """
        self._check_open()
        if self._parts:
            raise ValueError("close the segment in progress before a discontinuity")
        self._discontinuity = True
        if init_uri is not None:
            self._init_uri = check_uri(init_uri)

    def end(self) -> None:
        """The show ended: EXT-X-ENDLIST, and every blocked reload is answered."""
        if self._parts:
            raise ValueError("close the segment in progress before ending the playlist")
        self._ended = True
        self._notify()

    # -- what viewers read -------------------------------------------------------------------

    @property
    def next_msn(self) -> int:
        """The media sequence number of the segment in progress (or the next one)."""
        return self._segments[-1].msn + 1 if self._segments else self.config.first_msn

    @property
    def next_part(self) -> tuple[int, int]:
        """(msn, index) of the next part, the one the preload hint announces."""
        return self.next_msn, len(self._parts)

    @property
    def segments(self) -> tuple[Segment, ...]:
        """Every segment closed so far, oldest first."""
        return tuple(self._segments)

    @property
    def ended(self) -> bool:
        return self._ended

    def render(self) -> str:
        """The live playlist as it stands."""
        next_segment = (self.next_msn, self._discontinuity, self._init_uri)
        return render_live(self.config, self._segments, self._parts, next_segment, self._ended)

    def vod(self) -> str:
        """The replay playlist: every segment ever closed, discontinuities kept."""
        return render_vod(self.config, self._segments)

    async def wait_for(self, msn: int, part: int | None, timeout_s: float) -> ReloadResult:
        """Block until the playlist holds segment `msn` (or part `part` of it, or later).

        TOO_FAR at once when `msn` is beyond the next segment + 1; READY at once after end().
        """
        if msn < 0 or (part is not None and part < 0):
            raise ValueError("_HLS_msn and _HLS_part are non-negative")
        try:
            async with asyncio.timeout(timeout_s):
                while (result := self._reload_status(msn, part)) is None:
                    await self._changed.wait()
        except TimeoutError:
            return ReloadResult.TIMEOUT
        return result

    def media_time_at(self, when: datetime) -> tuple[int, float] | None:
        """(msn, seconds into it) of the media made at program date-time `when`.

        None when no segment or reported part covers that moment (not yet made, already
        before the first segment, or in the gap of a reconnection).
        """
        _check_aware(when)
        in_progress = self._in_progress_time(when)
        if in_progress is not None:
            return in_progress
        for segment in reversed(self._segments):
            offset = (when - segment.program_date_time).total_seconds()
            if 0 <= offset < segment.duration_s:
                return segment.msn, offset
        return None

    # -- internals ---------------------------------------------------------------------------

    def _reload_status(self, msn: int, part: int | None) -> ReloadResult | None:
        last_closed = self.next_msn - 1
        if self._ended or msn <= last_closed:
            return ReloadResult.READY
        if msn > last_closed + 2:
            return ReloadResult.TOO_FAR
        if part is not None and msn == self.next_msn and part < len(self._parts):
            return ReloadResult.READY
        return None

    def _in_progress_time(self, when: datetime) -> tuple[int, float] | None:
        """The segment in progress starts where the last one ended, unless a gap came between."""
        if not self._parts or not self._segments or self._discontinuity:
            return None
        last = self._segments[-1]
        start = last.program_date_time + timedelta(seconds=last.duration_s)
        offset = (when - start).total_seconds()
        if 0 <= offset < sum(p.duration_s for p in self._parts):
            return self.next_msn, offset
        return None

    def _check_open(self) -> None:
        if self._ended:
            raise ValueError("the playlist has ended")

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


def _check_aware(when: datetime) -> None:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("program date-times must carry a time zone")
