"""Groups CMAF fragments into LL-HLS parts and segments (pure: no I/O, no clock).

The muxer cuts a fragment about every part target and at every keyframe; each fragment is
one part. A segment is closed when the next part opens with a keyframe and the segment is
already most of a target long, or when the next part would take it more than 10 % past the
target: segments start at keyframes wherever the publisher's keyframes allow it (always, when
we encode), and never last more than 1.1 targets.
A fragment longer than a part target (a publisher's stall) cannot be listed as a part: it
becomes a segment of its own, without parts, which every player can still play.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from livebazaar.media.fmp4 import Fragment

__all__ = ["PartOut", "SegmentOut", "Segmenter"]

_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class PartOut:
    msn: int
    index: int
    data: bytes
    start_s: float
    duration_s: float
    independent: bool


@dataclass(frozen=True, slots=True)
class SegmentOut:
    msn: int
    data: bytes
    start_s: float  # media time of its first sample
    duration_s: float
    parts: int  # how many parts it was listed as (0: too irregular to list)


@dataclass
class Segmenter:
    first_msn: int = 0
    part_target_s: float = 0.2
    segment_target_s: float = 1.0
    min_segment_share: float = 0.75  # close early at a keyframe once this much is filled
    max_segment_share: float = 1.1  # a segment may run this far past the target to reach one
    _msn: int = field(init=False)
    _parts: list[Fragment] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self._msn = self.first_msn

    @property
    def next_msn(self) -> int:
        return self._msn

    def add(self, fragment: Fragment) -> list[PartOut | SegmentOut]:
        """What becomes available when the muxer completes `fragment`, in order."""
        out: list[PartOut | SegmentOut] = []
        filled = sum(f.duration_s for f in self._parts)
        if fragment.duration_s > self.part_target_s + _EPSILON:
            out.extend(self.flush())
            out.append(self._segment([fragment], listed=False))
            return out
        if self._parts and (
            filled + fragment.duration_s > self.max_segment_share * self.segment_target_s + _EPSILON
            or (fragment.independent and filled >= self.min_segment_share * self.segment_target_s)
        ):
            out.extend(self.flush())
        self._parts.append(fragment)
        out.append(
            PartOut(
                self._msn,
                len(self._parts) - 1,
                fragment.data,
                fragment.start_s,
                fragment.duration_s,
                fragment.independent,
            )
        )
        return out

    def flush(self) -> list[SegmentOut]:
        """Close the segment in progress (at a stop, or before a stall)."""
        if not self._parts:
            return []
        segment = self._segment(self._parts, listed=True)
        self._parts = []
        return [segment]

    def _segment(self, fragments: list[Fragment], *, listed: bool) -> SegmentOut:
        segment = SegmentOut(
            msn=self._msn,
            data=b"".join(f.data for f in fragments),
            start_s=fragments[0].start_s,
            duration_s=sum(f.duration_s for f in fragments),
            parts=len(fragments) if listed else 0,
        )
        self._msn += 1
        return segment
