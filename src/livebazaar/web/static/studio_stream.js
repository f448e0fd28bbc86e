// The studio's "What viewers see": the stream as the server knows it (who publishes, over
// RTMP or WHIP; nobody; the show not started or ended), and a small muted preview of the same
// LL-HLS the viewers get (player.js, hls.js). Read from the show's state every POLL_MS while
// the page is shown, and at once on the show's own events and the page's publishing changes.

import { getJson } from "./api.js";
import { $ } from "./dom.js";
import { t } from "./i18n.js";
import { Player } from "./player.js";

const POLL_MS = 3000;

// The show's state (GET /api/v1/shows/{id}) -> { key, onAir, url }: the sentence's msgid,
// whether viewers are getting video now, and the playlist to preview (or null).
export function streamStatus(show) {
  const playback = show.playback ?? {};
  if (show.status === "ended") return { key: "The show has ended: nothing is on air.", onAir: false, url: null };
  if (show.status !== "live") {
    return { key: "Not on air: the show has not started. Going live starts it.", onAir: false, url: null };
  }
  const url = playback.hls_url ?? null;
  if (playback.publisher === "rtmp") return { key: "On air: receiving your video over RTMP (OBS or an app).", onAir: true, url };
  if (playback.publisher === "whip") return { key: "On air: receiving your video over WHIP (this page or OBS).", onAir: true, url };
  return { key: "The show is live but no video arrives: go live from this device, or start OBS.", onAir: false, url };
}

export class StreamPanel {
  constructor(showId) {
    this.showId = showId;
    this.player = new Player($("stream-video"), { lowLatency: true, onFailure: () => this.later(POLL_MS) });
    this.timer = null;
    this.key = null;
    const shown = () => { if (this.player.playing) $("stream-wait").hidden = true; };
    for (const type of ["playing", "timeupdate"]) $("stream-video").addEventListener(type, shown);
    $("stream-video").addEventListener("ended", () => { this.player.unload(); this.later(POLL_MS); });
    document.addEventListener("visibilitychange", () => { if (!document.hidden) this.refresh(); });
  }

  later(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), ms);
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
    this.render(streamStatus(show));
    if (!document.hidden && show.status !== "ended") this.later(POLL_MS);
  }

  render({ key, onAir, url }) {
    $("on-air").hidden = !onAir;
    const line = $("stream-state");
    line.dataset.onAir = String(onAir);
    if (this.key !== key) {  // the live region speaks only when the sentence changes
      this.key = key;
      line.textContent = t(key);
    }
    if (url) {
      if (this.player.url !== url) $("stream-wait").hidden = false;
      $("stream-wait-text").textContent = t("Connecting to the video…");
      this.player.load(url);
    } else {
      this.player.unload();
      $("stream-wait").hidden = false;
      $("stream-wait-text").textContent = t("No picture");
    }
  }
}
