"""The LL-HLS media playlist: exact text for small shows, the spec's limits, blocking reload."""

from __future__ import annotations

import asyncio
import math
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from livebazaar.media.playlist import LivePlaylist, PlaylistConfig, ReloadResult

T0 = datetime(2026, 11, 22, 20, 0, 0, tzinfo=UTC)
# Small goldens: 1 s segments of two 0.5 s parts, a window of three segments.
SMALL = PlaylistConfig(part_target_s=0.5, window_segments=3)

HEAD = """\
#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:1
#EXT-X-PART-INF:PART-TARGET=0.5
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5,HOLD-BACK=3.0
"""


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def feed_parts(pl: LivePlaylist, msn: int, durations: list[float]) -> None:
    for index, duration in enumerate(durations):
        pl.add_part(msn, index, pl.config.part_uri(msn, index), duration, index == 0)


def feed_segment(
    pl: LivePlaylist, msn: int, parts: list[float] | None = None, start: float | None = None
) -> None:
    durations = [0.5, 0.5] if parts is None else parts
    feed_parts(pl, msn, durations)
    when = at(msn if start is None else start)
    pl.close_segment(msn, f"seg-{msn}.m4s", sum(durations), when)


def segment_text(msn: int, *, parts: bool, start: float | None = None) -> str:
    when = at(msn if start is None else start)
    text = f"#EXT-X-PROGRAM-DATE-TIME:{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z\n"
    if parts:
        text += (
            f'#EXT-X-PART:DURATION=0.5,URI="part-{msn}.0.m4s",INDEPENDENT=YES\n'
            f'#EXT-X-PART:DURATION=0.5,URI="part-{msn}.1.m4s"\n'
        )
    return text + f"#EXTINF:1.0,\nseg-{msn}.m4s\n"


def listed_part_msns(text: str) -> set[int]:
    return {int(m) for m in re.findall(r'#EXT-X-PART:.*URI="part-(\d+)\.', text)}


# -- rendering -----------------------------------------------------------------------------


def test_an_empty_playlist_already_hints_at_the_first_part() -> None:
    assert LivePlaylist(SMALL).render() == HEAD + (
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        '#EXT-X-MAP:URI="init.mp4"\n'
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-0.0.m4s"\n'
    )


def test_the_first_segment_in_progress_lists_its_parts_and_hints_the_next() -> None:
    pl = LivePlaylist(SMALL)
    feed_parts(pl, 0, [0.5])
    assert pl.render() == HEAD + (
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        '#EXT-X-MAP:URI="init.mp4"\n'
        '#EXT-X-PART:DURATION=0.5,URI="part-0.0.m4s",INDEPENDENT=YES\n'
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-0.1.m4s"\n'
    )


def test_closing_a_segment_writes_its_date_extinf_and_hints_the_next_segments_first_part() -> None:
    pl = LivePlaylist(SMALL)
    feed_segment(pl, 0)
    assert pl.render() == HEAD + (
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        '#EXT-X-MAP:URI="init.mp4"\n'
        + segment_text(0, parts=True)
        + '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-1.0.m4s"\n'
    )


def test_the_window_slides_and_parts_stay_only_within_three_target_durations_of_the_end() -> None:
    # Given five closed segments and one part of the sixth
    pl = LivePlaylist(SMALL)
    for msn in range(5):
        feed_segment(pl, msn)
    feed_parts(pl, 5, [0.5])
    # Then the window holds segments 2-4; segment 2 starts 3.5 s before the end: no parts
    assert pl.render() == HEAD + (
        "#EXT-X-MEDIA-SEQUENCE:2\n"
        '#EXT-X-MAP:URI="init.mp4"\n'
        + segment_text(2, parts=False)
        + segment_text(3, parts=True)
        + segment_text(4, parts=True)
        + '#EXT-X-PART:DURATION=0.5,URI="part-5.0.m4s",INDEPENDENT=YES\n'
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-5.1.m4s"\n'
    )


def test_part_trimming_with_the_default_200ms_parts() -> None:
    pl = LivePlaylist()  # 1 s target, 0.2 s parts, six segments
    for msn in range(10):
        feed_segment(pl, msn, [0.2] * 5)
    feed_parts(pl, 10, [0.2, 0.2])
    text = pl.render()
    assert "#EXT-X-MEDIA-SEQUENCE:4\n" in text
    # segment 8 starts 2.4 s before the end, segment 7 3.4 s: only 8, 9 and 10 keep parts
    assert listed_part_msns(text) == {8, 9, 10}
    assert text.endswith('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-10.2.m4s"\n')


def test_the_window_keeps_three_target_durations_even_of_short_segments() -> None:
    pl = LivePlaylist(SMALL)
    for msn in range(8):
        feed_segment(pl, msn, [0.5], start=msn * 0.5)  # 0.5 s segments
    text = pl.render()
    assert "#EXT-X-MEDIA-SEQUENCE:2\n" in text  # six segments of 0.5 s, not three
    assert text.count("#EXTINF:") == 6


def test_preload_hint_follows_the_configured_naming() -> None:
    pl = LivePlaylist(PlaylistConfig(part_uri_template="v720/{msn:05d}.{part}.m4s"))
    pl.add_part(0, 0, "v720/00000.0.m4s", 0.2, True)
    assert pl.render().endswith('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="v720/00000.1.m4s"\n')
    pl.close_segment(0, "v720/00000.m4s", 0.2, T0)
    assert pl.next_part == (1, 0)
    assert pl.render().endswith('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="v720/00001.0.m4s"\n')


def test_a_reconnection_is_a_discontinuity_with_its_own_date_and_init_segment() -> None:
    # Given a segment, then the publisher reconnects 60 s later with new codec parameters
    pl = LivePlaylist(SMALL)
    feed_segment(pl, 0)
    pl.discontinuity(init_uri="init-1.mp4")
    assert pl.render().endswith('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-1.0.m4s"\n')
    feed_parts(pl, 1, [0.5])
    in_progress = pl.render()
    assert in_progress.endswith(
        '#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-1.mp4"\n'
        '#EXT-X-PART:DURATION=0.5,URI="part-1.0.m4s",INDEPENDENT=YES\n'
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-1.1.m4s"\n'
    )
    pl.add_part(1, 1, "part-1.1.m4s", 0.5, False)
    pl.close_segment(1, "seg-1.m4s", 1.0, at(61))
    # Then the tag, the new map and the new date precede the segment
    assert pl.render() == HEAD + (
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        '#EXT-X-MAP:URI="init.mp4"\n'
        + segment_text(0, parts=True)
        + '#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-1.mp4"\n'
        + segment_text(1, parts=True, start=61)
        + '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-2.0.m4s"\n'
    )


def test_a_discontinuity_leaving_the_window_advances_the_discontinuity_sequence() -> None:
    pl = LivePlaylist(SMALL)
    feed_segment(pl, 0)
    pl.discontinuity(init_uri="init-1.mp4")
    for msn in range(1, 5):
        feed_segment(pl, msn, start=60 + msn)
    assert pl.render() == HEAD + (
        "#EXT-X-MEDIA-SEQUENCE:2\n"
        "#EXT-X-DISCONTINUITY-SEQUENCE:1\n"
        '#EXT-X-MAP:URI="init-1.mp4"\n'
        + segment_text(2, parts=True, start=62)  # starts exactly 3 s before the end: kept
        + segment_text(3, parts=True, start=63)
        + segment_text(4, parts=True, start=64)
        + '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-5.0.m4s"\n'
    )


def test_the_replay_lists_every_segment_with_its_discontinuities() -> None:
    pl = LivePlaylist(SMALL)
    for msn in range(4):
        feed_segment(pl, msn)
    pl.discontinuity()
    feed_segment(pl, 4, start=30)
    pl.end()
    assert pl.vod() == (
        "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n"
        "#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        '#EXT-X-MAP:URI="init.mp4"\n'
        + "".join(segment_text(msn, parts=False) for msn in range(4))
        + "#EXT-X-DISCONTINUITY\n"
        + segment_text(4, parts=False, start=30)
        + "#EXT-X-ENDLIST\n"
    )


def test_ending_writes_endlist_without_a_hint_and_refuses_more_media() -> None:
    pl = LivePlaylist(SMALL)
    feed_segment(pl, 0)
    pl.end()
    assert pl.ended
    assert pl.render() == HEAD + (
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        '#EXT-X-MAP:URI="init.mp4"\n' + segment_text(0, parts=True) + "#EXT-X-ENDLIST\n"
    )
    with pytest.raises(ValueError, match="ended"):
        pl.add_part(1, 0, "part-1.0.m4s", 0.5, True)


def test_program_date_time_is_utc_with_milliseconds() -> None:
    pl = LivePlaylist(SMALL)
    paris = timezone(timedelta(hours=1))
    pl.close_segment(0, "seg-0.m4s", 1.0, datetime(2026, 11, 22, 21, 0, 1, 234567, paris))
    assert "#EXT-X-PROGRAM-DATE-TIME:2026-11-22T20:00:01.234Z\n" in pl.render()


# -- the spec's limits -----------------------------------------------------------------------


def check_structure(text: str) -> None:
    """Every EXTINF within TARGETDURATION; when live, parts within PART-TARGET, hold-backs."""
    target = int(re.findall(r"#EXT-X-TARGETDURATION:(\d+)", text)[0])
    for duration in re.findall(r"#EXTINF:([\d.]+),", text):
        assert math.floor(float(duration) + 0.5) <= target
    if "#EXT-X-PLAYLIST-TYPE:VOD" in text:
        assert "#EXT-X-PART" not in text
        assert text.endswith("#EXT-X-ENDLIST\n")
        return
    part_target = float(re.findall(r"PART-TARGET=([\d.]+)", text)[0])
    part_hold_back = float(re.findall(r"PART-HOLD-BACK=([\d.]+)", text)[0])
    hold_back = float(re.findall(r",HOLD-BACK=([\d.]+)", text)[0])
    assert part_hold_back >= 3 * part_target - 1e-9
    assert hold_back >= 3 * target - 1e-9
    for duration in re.findall(r"#EXT-X-PART:DURATION=([\d.]+)", text):
        assert float(duration) <= part_target
    assert text.count("#EXT-X-PRELOAD-HINT:TYPE=PART,") == 1


def test_a_long_uneven_show_stays_within_the_spec() -> None:
    pl = LivePlaylist()
    shapes = [[0.2] * 5, [0.2, 0.2, 0.2, 0.2, 0.1334], [0.2] * 7, [0.2, 0.2, 0.16]]
    start = 0.0
    for msn in range(40):
        parts = shapes[msn % len(shapes)]  # segments of 0.56 to 1.4 s
        if msn == 20:
            pl.discontinuity()
            start += 30
        for index, duration in enumerate(parts):
            pl.add_part(msn, index, f"part-{msn}.{index}.m4s", duration, index == 0)
            check_structure(pl.render())
        pl.close_segment(msn, f"seg-{msn}.m4s", sum(parts), at(start))
        start += sum(parts)
        check_structure(pl.render())
    assert len(pl.segments) == 40
    check_structure(pl.vod())


def test_a_part_longer_than_the_part_target_is_refused() -> None:
    pl = LivePlaylist()
    pl.add_part(0, 0, "part-0.0.m4s", 0.200004, True)  # written as 0.2
    with pytest.raises(ValueError, match="PART-TARGET"):
        pl.add_part(0, 1, "part-0.1.m4s", 0.21, False)


def test_a_segment_rounding_above_the_target_is_refused() -> None:
    pl = LivePlaylist()
    pl.close_segment(0, "seg-0.m4s", 1.49, T0)
    with pytest.raises(ValueError, match="target duration"):
        pl.close_segment(1, "seg-1.m4s", 1.5, at(1.49))


@pytest.mark.parametrize(
    "config",
    [
        {"part_hold_back_s": 0.5},  # below 3 x 0.2
        {"hold_back_s": 2.0},  # below 3 x 1
        {"window_segments": 2},
        {"part_target_s": 1.5},
        {"init_uri": 'in"it.mp4'},
    ],
)
def test_configs_that_break_the_spec_are_refused(config: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        PlaylistConfig(**config)  # type: ignore[arg-type]


def test_events_out_of_order_are_refused() -> None:
    pl = LivePlaylist(SMALL)
    with pytest.raises(ValueError, match="expected part"):
        pl.add_part(0, 1, "part-0.1.m4s", 0.5, False)
    pl.add_part(0, 0, "part-0.0.m4s", 0.5, True)
    with pytest.raises(ValueError, match="expected segment"):
        pl.close_segment(1, "seg-1.m4s", 1.0, T0)
    with pytest.raises(ValueError, match="time zone"):
        pl.close_segment(0, "seg-0.m4s", 1.0, datetime(2026, 11, 22))
    with pytest.raises(ValueError, match="before a discontinuity"):
        pl.discontinuity()
    with pytest.raises(ValueError, match="before ending"):
        pl.end()
    with pytest.raises(ValueError, match="URI"):
        pl.close_segment(0, "seg\n#EXT-X-ENDLIST", 1.0, T0)


# -- blocking playlist reload ----------------------------------------------------------------


async def test_a_reload_waiting_for_a_part_is_released_when_it_arrives() -> None:
    pl = LivePlaylist(SMALL)
    feed_segment(pl, 0)
    waiter = asyncio.create_task(pl.wait_for(1, 1, timeout_s=30))
    feed_parts(pl, 1, [0.5])  # part 0 does not satisfy a wait for part 1
    await asyncio.sleep(0)
    assert not waiter.done()
    pl.add_part(1, 1, "part-1.1.m4s", 0.5, False)
    assert await waiter is ReloadResult.READY
    assert 'URI="part-1.1.m4s"' in pl.render()


async def test_a_reload_waiting_for_a_segment_needs_it_closed() -> None:
    pl = LivePlaylist(SMALL)
    waiter = asyncio.create_task(pl.wait_for(0, None, timeout_s=30))
    feed_parts(pl, 0, [0.5, 0.5])
    await asyncio.sleep(0)
    assert not waiter.done()
    pl.close_segment(0, "seg-0.m4s", 1.0, T0)
    assert await waiter is ReloadResult.READY


async def test_what_is_already_there_is_ready_at_once() -> None:
    pl = LivePlaylist(SMALL)
    feed_segment(pl, 0)
    feed_parts(pl, 1, [0.5])
    assert await pl.wait_for(0, None, timeout_s=0) is ReloadResult.READY
    assert await pl.wait_for(0, 7, timeout_s=0) is ReloadResult.READY  # closed covers any part
    assert await pl.wait_for(1, 0, timeout_s=0) is ReloadResult.READY


async def test_a_reload_that_never_comes_times_out() -> None:
    pl = LivePlaylist(SMALL)
    feed_segment(pl, 0)
    assert await pl.wait_for(1, 0, timeout_s=0.01) is ReloadResult.TIMEOUT
    assert await pl.wait_for(2, None, timeout_s=0) is ReloadResult.TIMEOUT


async def test_a_reload_beyond_the_next_segment_plus_one_is_too_far() -> None:
    pl = LivePlaylist(SMALL)
    assert await pl.wait_for(2, None, timeout_s=30) is ReloadResult.TOO_FAR  # nothing closed
    feed_segment(pl, 0)
    assert await pl.wait_for(3, 0, timeout_s=30) is ReloadResult.TOO_FAR
    with pytest.raises(ValueError, match="non-negative"):
        await pl.wait_for(1, -1, timeout_s=0)


async def test_ending_answers_every_blocked_reload() -> None:
    pl = LivePlaylist(SMALL)
    feed_segment(pl, 0)
    waiters = [asyncio.create_task(pl.wait_for(msn, 0, timeout_s=30)) for msn in (1, 2)]
    await asyncio.sleep(0)
    pl.end()
    assert await asyncio.gather(*waiters) == [ReloadResult.READY, ReloadResult.READY]
    assert await pl.wait_for(9, None, timeout_s=30) is ReloadResult.READY


# -- program date-time to media time ---------------------------------------------------------


def test_a_moment_maps_to_its_segment_and_offset() -> None:
    pl = LivePlaylist(SMALL)
    feed_segment(pl, 0)
    feed_segment(pl, 1)
    feed_parts(pl, 2, [0.5])
    assert pl.media_time_at(at(0.25)) == (0, 0.25)
    assert pl.media_time_at(at(1.0)) == (1, 0.0)
    assert pl.media_time_at(at(2.3)) == (2, 0.3)  # in the segment in progress
    assert pl.media_time_at(at(2.5)) is None  # not made yet
    assert pl.media_time_at(at(-0.001)) is None  # before the show


def test_a_moment_in_a_reconnection_gap_maps_to_nothing() -> None:
    pl = LivePlaylist(SMALL)
    feed_segment(pl, 0)
    pl.discontinuity()
    feed_parts(pl, 1, [0.5])
    assert pl.media_time_at(at(1.2)) is None  # the new segment's start is not known yet
    pl.add_part(1, 1, "part-1.1.m4s", 0.5, False)
    pl.close_segment(1, "seg-1.m4s", 1.0, at(60))
    assert pl.media_time_at(at(30)) is None
    assert pl.media_time_at(at(60.75)) == (1, 0.75)
    with pytest.raises(ValueError, match="time zone"):
        pl.media_time_at(datetime(2026, 11, 22, 20))
