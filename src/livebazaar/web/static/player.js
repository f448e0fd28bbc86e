// The show's video: HLS through hls.js (static/vendor/hls.min.js, which `make frontend` fetches
// from the npm registry and loads as a classic script before the page's module), else the
// browser's own HLS (Safari, iOS). LivePlayer follows a show's `playback.hls_url` (LL-HLS);
// the replay page loads the recording (`vod_url`) into a plain Player.

import { getJson } from "./api.js";
import { t } from "./i18n.js";

const POLL_MS = 5000;          // while there is no stream: look for one this often
const RETRY_MS = 2000;         // after a fatal error: wait this long, then ask the show again,
const MAX_RETRY_MS = 30_000;   // doubling while it keeps failing, up to this
const RECORDING_POLLS = 24;    // after the show ended: look for its recording this many times
const ENDED_GRACE_MS = 10_000; // after show.ended: the live picture's delay, at most
const HLS_TYPE = "application/vnd.apple.mpegurl";

export class Player {
  // onFailure(): the source broke beyond repair and was unloaded.
  constructor(video, { lowLatency = false, onFailure = () => {} } = {}) {
    Object.assign(this, { video, lowLatency, onFailure });
    this.hls = null;
    this.url = null;
    this.mediaErrorAt = -Infinity;
    video.addEventListener("error", () => { if (this.url && !this.hls) this.fail(); });
    const player = this;  // for tests and debugging in the browser
    window.livebazaarPlayer = {
      video,
      get hls() { return player.hls; },
      playingDate: () => player.playingDate(),
    };
  }

  // Plays `url` (a no-op when it already does); false when this browser cannot play HLS.
  load(url) {
    if (url === this.url) return true;
    this.unload();
    const Hls = window.Hls;
    if (Hls?.isSupported()) {
      const hls = new Hls(this.lowLatency ? { lowLatencyMode: true, backBufferLength: 90 } : { lowLatencyMode: false });
      hls.on(Hls.Events.ERROR, (_event, data) => this.hlsError(data));
      hls.on(Hls.Events.MANIFEST_PARSED, () => { if (this.video.autoplay) this.play(); });
      hls.loadSource(url);
      hls.attachMedia(this.video);
      this.hls = hls;
    } else if (this.video.canPlayType(HLS_TYPE)) {
      this.video.src = url;
    } else {
      return false;
    }
    this.url = url;
    return true;
  }

  unload() {
    if (this.url === null) return;
    this.hls?.destroy();
    this.hls = null;
    this.url = null;
    this.video.removeAttribute("src");
    this.video.load();
  }

  play() {
    this.video.play().catch(() => {});  // autoplay refused: the controls are there
  }

  seek(seconds) {
    this.video.currentTime = seconds;
    this.play();
  }

  hlsError(data) {
    if (!data.fatal) return;
    const now = performance.now();
    if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR && now - this.mediaErrorAt > 10_000) {
      this.mediaErrorAt = now;  // one recovery per 10 s; a second failure reloads everything
      this.hls.recoverMediaError();
      return;
    }
    this.fail();
  }

  fail() {
    this.unload();
    this.onFailure();
  }

  // The program date-time (EXT-X-PROGRAM-DATE-TIME) of the frame on screen, or null.
  playingDate() {
    if (this.hls) return this.hls.playingDate ?? null;
    if (this.url && typeof this.video.getStartDate === "function") {
      const start = this.video.getStartDate().getTime();
      if (Number.isFinite(start) && start > 0) return new Date(start + this.video.currentTime * 1000);
    }
    return null;
  }

  // True while a picture is moving on screen.
  get playing() {
    const v = this.video;
    return this.url !== null && !v.paused && !v.ended && v.readyState >= 2;
  }
}

// The viewer page's live video: waits (polling the show) until the host publishes, plays the
// LL-HLS stream, and goes back to waiting when it breaks or ends.
export class LivePlayer {
  // view: { video, waiting (the placeholder over the video), waitingText, replayLink }
  constructor(showId, view) {
    this.showId = showId;
    this.view = view;
    this.player = new Player(view.video, { lowLatency: true, onFailure: () => this.retry() });
    this.timer = null;
    this.failures = 0;
    this.recordingPolls = 0;
    const shown = () => {
      if (this.player.url === null) return;
      this.failures = 0;
      this.say(null, true);
    };
    view.video.addEventListener("loadeddata", shown);
    view.video.addEventListener("playing", shown);
    view.video.addEventListener("ended", () => {  // the stream said EXT-X-ENDLIST
      this.player.unload();
      this.later(RETRY_MS);
    });
  }

  // show.ended reaches the page before the video's last seconds do: let them play first.
  showEnded() {
    this.later(ENDED_GRACE_MS);
  }

  // ms since the epoch of the picture playing live now, or null (what PictureGate asks).
  pictureTime() {
    if (!this.player.playing) return null;
    return this.player.playingDate()?.getTime() ?? null;
  }

  later(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), ms);
  }

  // After a fatal error: ask the show again, backing off while the stream keeps failing.
  retry() {
    this.say(t("The video dropped. Reconnecting…"), true);
    this.later(Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** this.failures++));
  }

  async refresh() {
    clearTimeout(this.timer);
    let show;
    try {
      show = await getJson(`/api/v1/shows/${encodeURIComponent(this.showId)}`);
    } catch {
      this.later(POLL_MS);
      return;
    }
    const playback = show.playback ?? {};
    const ended = show.status === "ended";
    this.view.replayLink.hidden = !(ended && playback.vod_url);
    if (playback.hls_url && !ended) {
      if (!this.player.load(playback.hls_url)) this.say(t("This browser cannot play the live video."), false);
      else if (!this.player.playing) this.say(t("Connecting to the video…"), true);
      return;
    }
    this.player.unload();
    if (!ended) {
      this.say(t("Waiting for the host's video…"), false);
      this.later(POLL_MS);
    } else {
      this.say(t(playback.vod_url ? "The show has ended. Its replay is ready." : "The show has ended."), false);
      if (!playback.vod_url && this.recordingPolls++ < RECORDING_POLLS) this.later(POLL_MS);
    }
  }

  // `message` over the video (null: none); the video itself only while it has a source.
  say(message, withVideo) {
    const { video, waiting, waitingText } = this.view;
    video.hidden = !withVideo;
    waiting.hidden = message === null;
    if (message !== null) waitingText.textContent = message;
  }
}
