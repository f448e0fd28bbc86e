"""What an LL-HLS media playlist lists: one rendition's settings, its segments and their parts,
and the rules for the values written about them (durations as written, URIs that fit a line).

`playlist.LivePlaylist` keeps them and `playlist_render` writes them; both import this, which
imports neither.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

# Durations are written with at most 5 decimals (10 µs); every comparison the spec asks for
# is made on the written value, so what a player reads is what was checked.
DECIMALS = 5


def rounded(seconds: float) -> float:
    """A duration as it will be written in the playlist."""
    return round(seconds, DECIMALS)


def rounded_to_integer(seconds: float) -> int:
    """What the spec compares with EXT-X-TARGETDURATION: the EXTINF rounded to nearest (half up)."""
    return math.floor(rounded(seconds) + 0.5)


def check_uri(uri: str) -> str:
    """A URI that can go on a line of its own or inside a quoted-string."""
    if not uri or any(ch in uri for ch in '"\r\n'):
        raise ValueError(f"not a playlist URI: {uri!r}")
    return uri


@dataclass(frozen=True, slots=True)
class PlaylistConfig:
    """One rendition's playlist settings; fixed for the life of the playlist."""

    init_uri: str = "init.mp4"
    target_duration_s: int = 1
    part_target_s: float = 0.2
    window_segments: int = 6
    part_uri_template: str = "part-{msn}.{part}.m4s"
    first_msn: int = 0
    hold_back_s: float | None = None  # None: three target durations
    part_hold_back_s: float | None = None  # None: three part targets

    def __post_init__(self) -> None:
        check_uri(self.init_uri)
        check_uri(self.part_uri(0, 0))
        if self.target_duration_s < 1 or not 0 < self.part_target_s <= self.target_duration_s:
            raise ValueError("need target duration >= 1 s and 0 < part target <= target")
        if self.window_segments < 3 or self.first_msn < 0:
            raise ValueError("a live window holds at least 3 segments; msn starts at >= 0")
        if rounded(self.hold_back) < rounded(3 * self.target_duration_s):
            raise ValueError("HOLD-BACK must be at least three target durations")
        if rounded(self.part_hold_back) < rounded(3 * self.part_target_s):
            raise ValueError("PART-HOLD-BACK must be at least three part targets")

    @property
    def hold_back(self) -> float:
        return 3.0 * self.target_duration_s if self.hold_back_s is None else self.hold_back_s

    @property
    def part_hold_back(self) -> float:
        if self.part_hold_back_s is None:
            return 3 * self.part_target_s
        return self.part_hold_back_s

    def part_uri(self, msn: int, index: int) -> str:
        """The name of part `index` of segment `msn`, as the preload hint announces it."""
        return self.part_uri_template.format(msn=msn, part=index)


@dataclass(frozen=True, slots=True)
class Part:
    msn: int
    index: int
    uri: str
    duration_s: float
    independent: bool


@dataclass(frozen=True, slots=True)
class Segment:
    msn: int
    uri: str
    duration_s: float
    program_date_time: datetime
    parts: tuple[Part, ...]
    discontinuity: bool  # an EXT-X-DISCONTINUITY precedes it (the publisher reconnected)
    init_uri: str  # its EXT-X-MAP
