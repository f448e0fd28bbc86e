"""Video latency benchmark: glass-to-glass delay and CPU per stream, ours beside nginx-rtmp.

    .venv/bin/python bench/video_latency.py [--seconds 25] [--skip-nginx]

Each run pushes the same synthetic stream (1280x720, 30 fps, H.264 + AAC, barcode-stamped
frames) over RTMP from its own process. A player process reads the HLS at its live edge and,
for every frame it decodes, records now - the publisher's wall clock burned into the frame.
It presents each frame the moment it has it (no player buffer): a lower bound on what a real
player shows. Meanwhile the packager's CPU time (user + sys from /proc) is sampled.

- ours: `livebazaar serve` with RTMP on; the player does LL-HLS (blocking playlist reloads
  for the preload-hinted part, each part fetched as soon as it is listed, one decoder fed
  every part's packets). CPU is the show's media worker process.
- nginx: nginx with libnginx-mod-rtmp (`hls on`, 1 s fragments, MPEG-TS, no parts); the
  player polls the playlist every 100 ms and fetches each new segment. CPU is every nginx
  process (master + one worker).

Runs are sequential, never concurrent with each other.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av
import httpx

from livebazaar.media.synthetic import read_barcode

PASSWORD = "bench-password-1"
NGINX = "/usr/sbin/nginx"
NGINX_RTMP = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
WARM_UP_S = 3.0  # delays from the player's first seconds (catching up to the edge) are dropped
# CPU is counted from this long after the publisher starts to its end: a worker spends about
# 1.3 s of CPU once, importing PyAV, boto3 and the app's modules, before its first frame (on a
# busy machine that can take several seconds); that start-up is per publish, not per second.
CPU_AFTER_S = 8.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    delays_ms: list[float] = field(default_factory=list)
    frames: int = 0
    cpu_s: float = 0.0
    cpu_wall_s: float = 0.0
    app_cpu_s: float | None = None  # ours: the app process (RTMP ingest, HTTP), same window
    note: str = ""

    @property
    def cpu_pct(self) -> float:
        return 100 * self.cpu_s / self.cpu_wall_s if self.cpu_wall_s else 0.0

    @property
    def app_cpu_pct(self) -> str:
        if self.app_cpu_s is None or not self.cpu_wall_s:
            return "n/a"
        return f"{100 * self.app_cpu_s / self.cpu_wall_s:.1f}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- CPU from /proc ---------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class CpuSampler(threading.Thread):
    """Sums the CPU time of the processes `find()` names, from the first sample to the last
    one taken while `publishing` is set (a worker's or nginx's share of this stream)."""

    def __init__(self, find: Any, publishing: threading.Event) -> None:
        super().__init__(daemon=True)
        self.find, self.publishing = find, publishing
        self.stopped = threading.Event()
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.t0 = self.t1 = 0.0

    def run(self) -> None:
        while not self.stopped.wait(0.25):
            if not self.publishing.is_set():
                continue
            now = time.monotonic()
            for pid in self.find():
                value = cpu_seconds(pid)
                if value is None:
                    continue
                if not self.first:
                    self.t0 = now
                self.first.setdefault(pid, value)
                self.last[pid] = value
                self.t1 = now

    def result(self) -> tuple[float, float]:
        self.stopped.set()
        self.join()
        used = sum(self.last[p] - self.first[p] for p in self.last)
        return used, self.t1 - self.t0


# --- players (each in its own process) --------------------------------------------------------


def _record(frame: av.VideoFrame, started: float, delays: list[float], frames: list[int]) -> None:
    found = read_barcode(frame)
    if found is None:
        return
    frames[0] += 1
    if time.monotonic() - started >= WARM_UP_S:
        delays.append(time.time() * 1000 - found[1])


def _hls_position(text: str) -> tuple[int, int]:
    """The (msn, part) of the preload hint: the part after the last one listed."""
    msn = int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text).group(1))  # type: ignore[union-attr]
    parts = 0
    for line in text.splitlines():
        if line.startswith("#EXT-X-PART:"):
            parts += 1
        elif line and not line.startswith("#"):
            msn, parts = msn + 1, 0
    return msn, parts


def play_ll_hls(base: str, path: str, seconds: float, out: Any) -> None:
    """LL-HLS at the live edge: start at the newest independent part, then follow the hint."""
    delays: list[float] = []
    frames = [0]
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=5) as client:
        text = ""
        while time.monotonic() < deadline:
            r = client.get(f"{path}/live.m3u8")
            if r.status_code == 200 and "#EXT-X-PART:" in r.text:
                text = r.text
                break
            time.sleep(0.05)
        started = time.monotonic()
        decoder: av.VideoCodecContext | None = None
        init_uri = ""
        init = b""
        seen: set[str] = set()
        listed = re.findall(r'#EXT-X-PART:[^\n]*URI="([^"]+)"', text)
        independent = [
            i for i, line in enumerate(re.findall(r"#EXT-X-PART:[^\n]*", text)) if "INDEP" in line
        ]
        seen.update(listed[: independent[-1]] if independent else listed)
        while text and time.monotonic() < deadline:
            m = re.findall(r'#EXT-X-MAP:URI="([^"]+)"', text)
            if m and m[-1] != init_uri:
                init_uri = m[-1]
                init = client.get(f"{path}/{init_uri}").content
                with av.open(io.BytesIO(init), "r", format="mp4") as container:
                    stream = container.streams.video[0]
                    decoder = av.CodecContext.create(stream.codec_context.name, "r")  # type: ignore[assignment]
                    assert decoder is not None
                    decoder.extradata = stream.codec_context.extradata
            for uri in re.findall(r'#EXT-X-PART:[^\n]*URI="([^"]+)"', text):
                if uri in seen:
                    continue
                seen.add(uri)
                part = client.get(f"{path}/{uri}")
                if part.status_code != 200 or decoder is None:
                    continue
                with av.open(io.BytesIO(init + part.content), "r", format="mp4") as container:
                    for packet in container.demux(video=0):
                        if packet.size == 0:
                            continue
                        for frame in decoder.decode(packet):
                            _record(frame, started, delays, frames)
            msn, part_n = _hls_position(text)
            try:
                r = client.get(f"{path}/live.m3u8", params={"_HLS_msn": msn, "_HLS_part": part_n})
            except httpx.TimeoutException:
                break
            if r.status_code != 200:
                break
            text = r.text
            if "#EXT-X-ENDLIST" in text:
                break
    out.put((delays, frames[0]))


def play_hls_ts(base: str, path: str, seconds: float, out: Any) -> None:
    """Plain HLS (MPEG-TS): poll the playlist, fetch and decode each new segment."""
    delays: list[float] = []
    frames = [0]
    deadline = time.monotonic() + seconds
    seen: set[str] | None = None
    started = time.monotonic()
    with httpx.Client(base_url=base, timeout=5) as client:
        while time.monotonic() < deadline:
            r = client.get(path)
            if r.status_code != 200:
                time.sleep(0.1)
                continue
            uris = [u for u in r.text.splitlines() if u and not u.startswith("#")]
            if seen is None:  # join at the live edge: the newest segment only
                seen = set(uris[:-1])
                started = time.monotonic()
            for uri in uris:
                if uri in seen:
                    continue
                seen.add(uri)
                ts = client.get(f"{path.rsplit('/', 1)[0]}/{uri}")
                if ts.status_code != 200:
                    continue
                with av.open(io.BytesIO(ts.content), "r", format="mpegts") as container:
                    for frame in container.decode(video=0):
                        _record(frame, started, delays, frames)
            time.sleep(0.1)
    out.put((delays, frames[0]))


def run_player(target: Any, *args: Any) -> tuple[Any, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=target, args=(*args, queue))
    process.start()
    return process, queue


def publisher(url: str, seconds: float, gop_s: float) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "livebazaar.media.synthetic", "rtmp", url]
    command += ["--seconds", str(seconds), "--width", "1280", "--height", "720", "--fps", "30"]
    command += ["--gop-s", str(gop_s)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure(
    name: str,
    url: str,
    seconds: float,
    gop_s: float,
    find: Any,
    player: Any,
    player_args: tuple[Any, ...],
    app: Any = None,
) -> Result:
    """One run: publisher + player + CPU sampler; returns the player's delays and the CPU."""
    publishing = threading.Event()
    sampler = CpuSampler(find, publishing)
    sampler.start()
    app_sampler = CpuSampler(app, publishing) if app is not None else None
    if app_sampler is not None:
        app_sampler.start()
    proc, queue = run_player(player, *player_args, seconds + 4)
    pub = publisher(url, seconds, gop_s)
    result = Result(name)
    try:
        time.sleep(CPU_AFTER_S)  # connection, worker start-up, first segments: not counted
        publishing.set()
        out, err = pub.communicate(timeout=seconds + 60)
        publishing.clear()
        if pub.returncode != 0:
            result.note = f"publisher exited {pub.returncode}: {(out + err)[-300:]!r}"
        result.cpu_s, result.cpu_wall_s = sampler.result()
        if app_sampler is not None:
            result.app_cpu_s = app_sampler.result()[0]
        result.delays_ms, result.frames = queue.get(timeout=seconds + 60)
        proc.join(timeout=10)
    finally:
        sampler.stopped.set()
        if app_sampler is not None:
            app_sampler.stopped.set()
        stop(pub)
        if proc.is_alive():
            proc.kill()
            proc.join()
    return result


# --- ours -----------------------------------------------------------------------------------


def start_ours(workdir: Path, http_port: int, rtmp_port: int, ladder: str) -> Any:
    env = {
        **os.environ,
        "LIVEBAZAAR_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db",
        "LIVEBAZAAR_PUBLIC_URL": f"http://127.0.0.1:{http_port}",
        "LIVEBAZAAR_ARGON2_TIME_COST": "1",
        "LIVEBAZAAR_ARGON2_MEMORY_KIB": "1024",
        # Every bench account registers and signs in from this machine: no per-address limit.
        "LIVEBAZAAR_REGISTER_RATE_PER_HOUR": "1000000",
        "LIVEBAZAAR_SIGN_IN_RATE_PER_10MIN": "1000000",
        "LIVEBAZAAR_RTMP_ENABLED": "true",
        "LIVEBAZAAR_RTMP_PORT": str(rtmp_port),
        "LIVEBAZAAR_MEDIA_DIR": str(workdir / "media"),
        "LIVEBAZAAR_MEDIA_LADDER": ladder,
    }
    cmd = [sys.executable, "-m", "livebazaar", "serve", "--port", str(http_port)]
    log = (workdir / "serve.log").open("wb")
    return subprocess.Popen(cmd, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)


def seed_show(base: str, server: subprocess.Popen[bytes]) -> tuple[str, str]:
    """A host account, shop, product and live show; returns (show id, RTMP publish URL)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(300):
            if server.poll() is not None:
                raise SystemExit(f"server exited with {server.returncode}")
            try:
                if client.get("/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        email = "host@bench.example.org"
        client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "display_name": "host"},
        ).raise_for_status()
        r = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        r.raise_for_status()
        host = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = client.post(
            "/api/v1/shops",
            json={"name": "Bench Pearls", "country": "RW", "currency": "CNY"},
            headers=host,
        )
        r.raise_for_status()
        shop_id = r.json()["id"]
        r = client.post(
            f"/api/v1/shops/{shop_id}/products",
            json={"title": "Pearl", "price": {"amount_minor": 6900, "currency": "CNY"}, "stock": 9},
            headers=host,
        )
        r.raise_for_status()
        r = client.post(
            "/api/v1/shows",
            json={
                "shop_id": shop_id,
                "title": "Bench show",
                "scheduled_at": datetime.now(UTC).isoformat(),
                "lineup": [r.json()["id"]],
            },
            headers=host,
        )
        r.raise_for_status()
        show_id: str = r.json()["id"]
        client.post(f"/api/v1/shows/{show_id}/start", headers=host).raise_for_status()
        r = client.post(f"/api/v1/shows/{show_id}/stream-key", headers=host)
        r.raise_for_status()
        rtmp_url: str = r.json()["rtmp_url"]
        key: str = r.json()["key"]
        return show_id, rtmp_url if key in rtmp_url else f"{rtmp_url.rstrip('/')}/{key}"


def run_ours(name: str, seconds: float, gop_s: float, ladder: str) -> Result:
    with tempfile.TemporaryDirectory(prefix="lb-video-") as tmp:
        workdir = Path(tmp)
        http_port, rtmp_port = free_port(), free_port()
        base = f"http://127.0.0.1:{http_port}"
        server = start_ours(workdir, http_port, rtmp_port, ladder)
        try:
            show_id, url = seed_show(base, server)

            def workers() -> list[int]:
                return [p for p in children(server.pid) if "livebazaar.media" in cmdline(p)]

            path = f"/media/shows/{show_id}/source"

            def app() -> list[int]:
                return [server.pid]

            result = measure(name, url, seconds, gop_s, workers, play_ll_hls, (base, path), app)
            if not result.delays_ms:
                log = (workdir / "serve.log").read_text(errors="replace")[-2000:]
                result.note += f" no frames; serve log tail: {log!r}"
            return result
        finally:
            stop(server)


# --- nginx-rtmp -----------------------------------------------------------------------------


NGINX_CONF = """\
load_module {module};
daemon off;
master_process on;
worker_processes 1;
user root;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
rtmp {{
    server {{
        listen 127.0.0.1:{rtmp_port};
        application live {{
            live on;
            hls on;
            hls_path {tmp}/hls;
            hls_fragment 1s;
            hls_playlist_length 6s;
        }}
    }}
}}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
    server {{
        listen 127.0.0.1:{http_port};
        location /hls/ {{ alias {tmp}/hls/; add_header Cache-Control no-cache; }}
    }}
}}
"""


def run_nginx(seconds: float) -> Result:
    with tempfile.TemporaryDirectory(prefix="lb-nginx-") as tmp:
        http_port, rtmp_port = free_port(), free_port()
        (Path(tmp) / "hls").mkdir()
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(module=NGINX_RTMP, tmp=tmp, rtmp_port=rtmp_port, http_port=http_port)
        )
        nginx = subprocess.Popen([NGINX, "-p", tmp, "-c", str(conf)], stderr=subprocess.PIPE)
        try:
            time.sleep(1.0)
            if nginx.poll() is not None:
                err = nginx.stderr.read() if nginx.stderr else b""
                raise SystemExit(f"nginx exited: {err.decode(errors='replace')}")

            def processes() -> list[int]:
                return [nginx.pid, *children(nginx.pid)]

            base = f"http://127.0.0.1:{http_port}"
            url = f"rtmp://127.0.0.1:{rtmp_port}/live/bench"
            return measure(
                "nginx-rtmp (peer), HLS/TS",
                url,
                seconds,
                1.0,
                processes,
                play_hls_ts,
                (base, "/hls/bench.m3u8"),
            )
        finally:
            if nginx.poll() is None:
                nginx.send_signal(signal.SIGQUIT)
                try:
                    nginx.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    nginx.kill()
                    nginx.wait()
            shutil.rmtree(tmp, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------


def report(results: list[Result], seconds: float) -> None:
    print()
    print(f"video latency: 1280x720 30 fps H.264+AAC over RTMP, {seconds:.0f} s per run")
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, PyAV {av.__version__}"
    )
    print()
    print(
        "| run | g2g p50 ms | g2g p95 ms | frames decoded"
        " | packager CPU % of a core | app process CPU % |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.name} | {percentile(r.delays_ms, 0.5):,.0f}"
            f" | {percentile(r.delays_ms, 0.95):,.0f} | {r.frames} | {r.cpu_pct:.1f}"
            f" | {r.app_cpu_pct} |"
        )
    for r in results:
        if r.note:
            print(f"note ({r.name}): {r.note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--skip-nginx", action="store_true")
    parser.add_argument("--skip-ladder", action="store_true", help="skip remux + 360p rung")
    args = parser.parse_args()
    results: list[Result] = []
    runs: list[tuple[str, float, str]] = [
        ("ours remux (GOP 1 s), LL-HLS", 1.0, "[]"),
        ("ours transcode (GOP 4 s), LL-HLS", 4.0, "[]"),
    ]
    if not args.skip_ladder:
        runs.append(("ours remux + 360p rung, LL-HLS", 1.0, "[360]"))
    for name, gop_s, ladder in runs:
        print(f"running: {name}", flush=True)
        results.append(run_ours(name, args.seconds, gop_s, ladder))
    if not args.skip_nginx:
        print("running: nginx-rtmp", flush=True)
        results.append(run_nginx(args.seconds))
    report(results, args.seconds)


if __name__ == "__main__":
    main()
