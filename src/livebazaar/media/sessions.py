"""The app's side of live video: one media worker process per publishing show, and the
playlists its reports build.

A publisher (the RTMP server's connection, or a WHIP session) asks `MediaService.start` for a
worker; only one per show at a time (`PublisherBusy` otherwise, whichever protocol holds it).
The worker writes media files to the SegmentStore and reports each one on its stdout; the
service turns the reports into `LivePlaylist`s, which the HTTP routes render and block on.

When a worker ends, cleanly or not, the segment it left in progress is closed from the parts
already stored, and the next publish session of the same show continues the same playlists
after an EXT-X-DISCONTINUITY with its own init segment. When the show ends, every playlist
gets ENDLIST and its VOD twin is written to the store: the replay is the same segments.

State is per process (like the in-process broker): scale-out routes a show's publisher and
its playlist readers to one node.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from livebazaar.kernel.events import media_now
from livebazaar.media.flv import SinkUnavailable
from livebazaar.media.playlist import LivePlaylist, PlaylistConfig, Segment
from livebazaar.media.store import SegmentStore
from livebazaar.media.worker import WorkerConfig

log = logging.getLogger("livebazaar.media")

MASTER_NAME = "live.m3u8"
VOD_NAME = "vod.m3u8"
STOP_GRACE_S = 5.0


class PublisherBusy(SinkUnavailable):
    """The show already has a publisher (one at a time, over RTMP or WHIP)."""

    def __str__(self) -> str:
        return "the show already has a publisher"


class WorkerFailed(Exception):
    """The worker ended before it answered (a WHIP offer it could not take, say)."""


@dataclass
class RenditionInfo:
    name: str
    codecs: str = ""
    width: int = 0
    height: int = 0
    bandwidth: int = 0


@dataclass
class ShowVideo:
    """One show's video in this process: its playlists across publish sessions."""

    show_id: str
    playlists: dict[str, LivePlaylist] = field(default_factory=dict)
    renditions: dict[str, RenditionInfo] = field(default_factory=dict)
    current: list[str] = field(default_factory=list)  # renditions of the latest session
    session: int = 0
    worker: Worker | None = None
    source: str | None = None  # "rtmp" or "whip" while publishing
    mode: str | None = None  # "remux" or "transcode"
    pending_parts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ended: bool = False
    crashes: int = 0

    @property
    def publishing(self) -> bool:
        return self.worker is not None

    def segments(self, rendition: str) -> tuple[Segment, ...]:
        playlist = self.playlists.get(rendition)
        return playlist.segments if playlist is not None else ()


class Worker:
    """A running media worker process and the task reading its reports."""

    def __init__(
        self, process: asyncio.subprocess.Process, session: int, first_msn: int, *, whip: bool
    ) -> None:
        self.process = process
        self.whip = whip
        self.session = session
        self.first_msn = first_msn
        self.reader: asyncio.Task[None] | None = None
        self.stderr_task: asyncio.Task[None] | None = None
        self.answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.exited = asyncio.Event()
        self.returncode: int | None = None

    @property
    def stdin(self) -> asyncio.StreamWriter:
        assert self.process.stdin is not None
        return self.process.stdin


class MediaService:
    """Starts and watches media workers; owns the live playlists (see the module docstring)."""

    def __init__(
        self,
        store: SegmentStore,
        store_url: str,
        *,
        ladder: tuple[int, ...] = (360,),
        part_target_s: float = 0.2,
        segment_target_s: float = 1.0,
        relative_uris: bool = True,
        on_change: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.store_url = store_url
        self.ladder = ladder
        self.part_target_s = part_target_s
        self.segment_target_s = segment_target_s
        # Local stores are served beside the playlists: relative URIs. Object stores: absolute.
        self.relative_uris = relative_uris
        self.on_change = on_change
        self.shows: dict[str, ShowVideo] = {}
        self.whip_sessions: dict[str, tuple[str, int]] = {}  # resource -> (show, session)
        self._closing = False

    # -- publishers --------------------------------------------------------------------------

    async def start(self, show_id: str, source: str, *, whip_offer: str | None = None) -> Worker:
        """A worker for a new publish session of the show; PublisherBusy if one runs."""
        video = self.shows.setdefault(show_id, ShowVideo(show_id))
        if video.worker is not None:
            raise PublisherBusy(show_id)
        if video.ended:
            video = self.shows[show_id] = ShowVideo(show_id)
        video.session += 1
        first = max((p.next_msn for p in video.playlists.values()), default=0)
        config = WorkerConfig(
            show_id=show_id,
            session=video.session,
            first_msn=first,
            next_msn={name: p.next_msn for name, p in video.playlists.items()},
            store_url=self.store_url,
            ladder=self.ladder,
            part_target_s=self.part_target_s,
            segment_target_s=self.segment_target_s,
            source="whip" if source == "whip" else "flv",
            # FLV arrives from now on, while the worker process is still starting up.
            ingest_started_at=None if whip_offer is not None else media_now().isoformat(),
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "livebazaar.media",
            config.to_json(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        worker = Worker(process, video.session, first, whip=whip_offer is not None)
        video.worker, video.source = worker, source
        worker.reader = asyncio.create_task(self._read_reports(video, worker))
        worker.stderr_task = asyncio.create_task(_forward_stderr(show_id, process))
        if whip_offer is not None:
            worker.stdin.write(json.dumps({"offer": whip_offer}).encode() + b"\n")
            await worker.stdin.drain()
        await self._changed(show_id)
        return worker

    async def stop(self, show_id: str, *, session: int | None = None) -> None:
        """End the show's publish session: close the worker's input, then wait for it."""
        video = self.shows.get(show_id)
        worker = video.worker if video is not None else None
        if worker is None or (session is not None and worker.session != session):
            return
        with contextlib.suppress(OSError, RuntimeError):
            worker.stdin.close()
        try:
            await asyncio.wait_for(worker.exited.wait(), STOP_GRACE_S)
        except TimeoutError:
            log.warning("show %s: worker did not stop in time; killing it", show_id)
            with contextlib.suppress(ProcessLookupError):
                worker.process.kill()
            await worker.exited.wait()

    async def end_show(self, show_id: str) -> ShowVideo | None:
        """The show ended: stop its worker, ENDLIST every playlist, write the VOD playlists."""
        await self.stop(show_id)
        video = self.shows.get(show_id)
        if video is None or video.ended:
            return video
        video.ended = True
        for playlist in video.playlists.values():
            if not playlist.ended:
                playlist.end()
        if any(p.segments for p in video.playlists.values()):
            await asyncio.to_thread(self._write_vod, video)
        await self._changed(show_id)
        return video

    async def close(self) -> None:
        """Stop every worker (the app is shutting down)."""
        self._closing = True
        await asyncio.gather(*(self.stop(s) for s in list(self.shows)), return_exceptions=True)

    # -- readers -----------------------------------------------------------------------------

    def video(self, show_id: str) -> ShowVideo | None:
        return self.shows.get(show_id)

    def master(self, show_id: str, *, vod: bool = False) -> str | None:
        """The multivariant playlist over the latest session's renditions."""
        video = self.shows.get(show_id)
        if video is None:
            return None
        names = [n for n in video.current if video.renditions[n].codecs]
        if not names:
            return None
        lines = ["#EXTM3U", "#EXT-X-VERSION:6"]
        for name in sorted(names, key=lambda n: -video.renditions[n].bandwidth):
            info = video.renditions[name]
            lines.append(
                f"#EXT-X-STREAM-INF:BANDWIDTH={info.bandwidth},"
                f'RESOLUTION={info.width}x{info.height},CODECS="{info.codecs}"'
            )
            lines.append(f"{name}/{VOD_NAME if vod else 'live.m3u8'}")
        return "\n".join(lines) + "\n"

    # -- the worker's reports ----------------------------------------------------------------

    async def _read_reports(self, video: ShowVideo, worker: Worker) -> None:
        stdout = worker.process.stdout
        assert stdout is not None
        try:
            while line := await stdout.readline():
                try:
                    self._apply(video, worker, json.loads(line))
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("show %s: bad worker report %r: %s", video.show_id, line, exc)
                await self._changed(video.show_id)
        finally:
            worker.returncode = await worker.process.wait()
            if worker.stderr_task is not None:
                await worker.stderr_task
            await asyncio.to_thread(self._close_open_segments, video)
            if worker.returncode != 0:
                video.crashes += 1
                log.warning(
                    "show %s: media worker exited with %s", video.show_id, worker.returncode
                )
            if worker.whip and not worker.answer.done():
                worker.answer.set_exception(WorkerFailed(f"worker exited ({worker.returncode})"))
            video.worker, video.source = None, None
            for resource, (show_id, session) in list(self.whip_sessions.items()):
                if (show_id, session) == (video.show_id, worker.session):
                    del self.whip_sessions[resource]  # its DELETE now answers 404
            worker.exited.set()
            await self._changed(video.show_id)

    def _apply(self, video: ShowVideo, worker: Worker, report: dict[str, Any]) -> None:
        kind = report["type"]
        if kind == "answer":
            if not worker.answer.done():
                worker.answer.set_result(str(report["sdp"]))
        elif kind == "started":
            video.mode = str(report["mode"])
            video.current = [str(n) for n in report["renditions"]]
            for name in video.current:
                video.renditions.setdefault(name, RenditionInfo(name))
        elif kind == "init":
            name = str(report["rendition"])
            video.renditions[name] = RenditionInfo(
                name,
                str(report["codecs"]),
                int(report["width"]),
                int(report["height"]),
                int(report["bandwidth"]),
            )
            uri = self._uri(str(report["key"]))
            playlist = video.playlists.get(name)
            if playlist is None:
                config = self._playlist_config(uri, worker.first_msn)
                video.playlists[name] = LivePlaylist(config)
            else:
                playlist.discontinuity(init_uri=uri)
        elif kind == "part":
            name = str(report["rendition"])
            video.playlists[name].add_part(
                int(report["msn"]),
                int(report["index"]),
                self._uri(str(report["key"])),
                float(report["duration"]),
                bool(report["independent"]),
            )
            video.pending_parts.setdefault(name, []).append(report)
        elif kind == "segment":
            name = str(report["rendition"])
            playlist = video.playlists[name]
            when = datetime.fromisoformat(str(report["pdt"]))
            uri = self._uri(str(report["key"]))
            playlist.close_segment(int(report["msn"]), uri, float(report["duration"]), when)
            video.pending_parts[name] = []

    def _playlist_config(self, init_uri: str, first: int) -> PlaylistConfig:
        video_prefix = init_uri.rsplit("/", 1)[0] + "/" if "/" in init_uri else ""
        return PlaylistConfig(
            init_uri=init_uri,
            target_duration_s=max(1, round(self.segment_target_s)),
            part_target_s=self.part_target_s,
            part_uri_template=video_prefix + "part-{msn}.{part}.m4s",
            first_msn=first,
        )

    def _uri(self, key: str) -> str:
        if self.relative_uris:
            return key.rsplit("/", 1)[-1]
        return self.store.public_url(key)

    def _close_open_segments(self, video: ShowVideo) -> None:
        """After a worker ends mid-segment: store its parts as one segment and list it."""
        for name, parts in video.pending_parts.items():
            playlist = video.playlists.get(name)
            if not parts or playlist is None:
                continue
            msn = int(parts[0]["msn"])
            data = b"".join(self.store.get(str(p["key"])) for p in parts)
            key = str(parts[0]["key"]).rsplit("/", 1)[0] + f"/seg-{msn}.m4s"
            self.store.put(key, data, content_type="video/iso.segment", immutable=True)
            duration = sum(float(p["duration"]) for p in parts)
            when = datetime.fromisoformat(str(parts[0]["pdt"]))
            try:
                playlist.close_segment(msn, self._uri(key), duration, when)
            except ValueError:
                log.exception("show %s: could not list the interrupted segment", video.show_id)
        video.pending_parts = {}

    def _write_vod(self, video: ShowVideo) -> None:
        for name, playlist in video.playlists.items():
            key = f"shows/{video.show_id}/{name}/{VOD_NAME}"
            self.store.put(
                key,
                playlist.vod().encode(),
                content_type="application/vnd.apple.mpegurl",
                immutable=False,
            )
        master = self.master(video.show_id, vod=True)
        if master is not None:
            self.store.put(
                f"shows/{video.show_id}/{VOD_NAME}",
                master.encode(),
                content_type="application/vnd.apple.mpegurl",
                immutable=False,
            )

    async def _changed(self, show_id: str) -> None:
        if self.on_change is not None:
            try:
                await self.on_change(show_id)
            except Exception:
                log.exception("show %s: media change hook failed", show_id)


async def _forward_stderr(show_id: str, process: asyncio.subprocess.Process) -> None:
    stderr = process.stderr
    assert stderr is not None
    while line := await stderr.readline():
        log.info("show %s worker: %s", show_id, line.decode(errors="replace").rstrip())
