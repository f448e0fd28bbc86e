// The studio's "Go live" panel: the camera preview, publishing it over WHIP with the page's
// session (no stream key: a co-host goes live without ever holding one), the RTMP server and
// key for OBS and phone apps (for those who may hold the key), and ending the show (for those
// who may end it: the page leaves out what the person may not use, docs/roles.md).

import { Camera, cameraErrorText } from "./camera.js";
import { $ } from "./dom.js";
import { say, whileBusy } from "./studio_dom.js";
import { send, showUrl } from "./studio_api.js";
import { splitRtmpUrl } from "./stream_key.js";
import { WhipPublisher } from "./whip.js";
import { t } from "./i18n.js";

const TEXT = {
  idle: "Turn on the camera to check the picture, then go live.",
  preview: "Camera on: only you see this until you go live.",
  connecting: "Connecting…",
  live: "You are live: viewers see this picture a few seconds later.",
  reconnecting: "The connection dropped. Reconnecting…",
  stopped: "Video stopped. The show stays open: go live again, or end it.",
  ended: "The show has ended.",
};
const PUBLISHING = new Set(["connecting", "live", "reconnecting"]);

export class GoLivePanel {
  // showStatus(): the show's status as the feed knows it ("scheduled" | "live" | "ended").
  // onPublishing(): this page's publishing changed (what the server sees may have too).
  constructor(showId, showStatus, onPublishing = () => {}) {
    this.showId = showId;
    this.showStatus = showStatus;
    this.camera = new Camera($("preview"));
    this.publisher = new WhipPublisher({
      onState: (state, detail) => { this.setState(state, detail); onPublishing(); },
    });
    this.state = "idle";
    this.cameras = 0;
    this.wire();
    this.setState(showStatus() === "ended" ? "ended" : "idle");
  }

  wire() {
    $("camera-on").addEventListener("click", () => this.cameraOn());
    $("camera-switch").addEventListener("click", () => this.switchCamera());
    $("mic-toggle").addEventListener("click", () => {
      const muted = this.camera.toggleMicrophone();
      $("mic-toggle").setAttribute("aria-pressed", String(muted));
      $("mic-toggle").textContent = t(muted ? "Unmute microphone" : "Mute microphone");
    });
    $("go-live").addEventListener("click", () => this.goLive());
    $("stop-live").addEventListener("click", () => this.stop());
    $("end-show")?.addEventListener("click", () => this.endShow());
    $("rtmp-ask")?.addEventListener("click", () => this.askRtmpKey());
    for (const button of document.querySelectorAll("button[data-copy]")) {
      button.addEventListener("click", () => copyField($(button.dataset.copy), $("rtmp-result")));
    }
  }

  // -- state --------------------------------------------------------------------------------

  setState(state, detail) {
    const focused = document.activeElement;
    this.state = state;
    const line = $("publish-state");
    line.dataset.state = state;
    line.textContent = state === "error" ? t("Could not go live: {detail}", { detail }) : (detail ?? t(TEXT[state]));
    const ended = state === "ended";
    const publishing = PUBLISHING.has(state);
    $("go-live").hidden = publishing;
    $("go-live").disabled = ended;
    $("stop-live").hidden = !publishing;
    if ($("end-show")) $("end-show").disabled = ended;
    this.showCameraButtons();
    // The button just used may have gone (Go live -> Stop video): keep the keyboard nearby.
    if (focused?.tagName === "BUTTON" && (focused.hidden || focused.disabled)) {
      (publishing ? $("stop-live") : $("go-live")).focus();
    }
  }

  showCameraButtons() {
    const on = this.camera.on;
    $("camera-on").hidden = on || this.state === "ended";
    $("preview-off").hidden = on;
    $("camera-switch").hidden = !on || this.cameras < 2;
    $("mic-toggle").hidden = !on || this.camera.audioTrack === null;
  }

  // -- the camera ---------------------------------------------------------------------------

  async cameraOn() {
    try {
      await this.camera.start();
    } catch (error) {
      this.setState("error", cameraErrorText(error));
      return false;
    }
    this.cameras = await this.camera.cameraCount();
    if (!PUBLISHING.has(this.state)) this.setState("preview");
    else this.showCameraButtons();
    return true;
  }

  async switchCamera() {
    try {
      const track = await this.camera.switchFacing();
      if (track && this.publisher.publishing) await this.publisher.replaceVideoTrack(track);
    } catch (error) {
      $("publish-state").textContent = cameraErrorText(error);
    }
  }

  // -- publishing ---------------------------------------------------------------------------

  goLive() {
    return whileBusy($("go-live"), () => this.publish());
  }

  async publish() {
    if (!(await this.cameraOn())) return;
    try {
      await this.startShow();
      this.setState("connecting", t("Connecting the video…"));
      const whipUrl = new URL(showUrl(this.showId, "/whip"), location.href).href;
      await this.publisher.start(this.camera.stream, whipUrl, null);
    } catch (error) {
      this.setState("error", error.message);
    }
  }

  async startShow() {
    const status = this.showStatus();
    if (status === "ended") throw new Error("the show has ended");
    if (status !== "scheduled") return;
    this.setState("connecting", t("Starting the show…"));
    try {
      await send("POST", showUrl(this.showId, "/start"));
    } catch (error) {
      if (error.code !== "show_already_live") throw error;  // a co-host started it first
    }
  }

  // The Stop button: ends the WHIP session and turns the camera off.
  async stop() {
    await this.publisher.stop();
    this.camera.stop();
    this.setState("stopped");
  }

  async endShow() {
    if (!confirm(t("End the show for everyone? Viewers can no longer buy, and it cannot go live again."))) return;
    await whileBusy($("end-show"), async () => {
      try {
        await send("POST", showUrl(this.showId, "/end"));
        say($("end-result"), "");
        await this.showEnded();
      } catch (error) {
        say($("end-result"), error.message, true);
      }
    });
  }

  // show.ended (from this page or another host's): the video and the camera stop.
  async showEnded() {
    if (this.state === "ended") return;
    await this.publisher.stop({ quiet: true });
    this.camera.stop();
    this.setState("ended");
  }

  // -- OBS and phone apps -------------------------------------------------------------------

  async askRtmpKey() {
    const result = $("rtmp-result");
    if (this.publisher.publishing && !confirm(t("This makes a new stream key. The video from this page keeps going; continue?"))) return;
    await whileBusy($("rtmp-ask"), async () => {
      try {
        this.showKeys(await send("POST", showUrl(this.showId, "/stream-key")));
        say(result, t("New key ready. The previous key no longer works."));
      } catch (error) {
        say(result, error.message, true);
      }
    });
  }

  // Every key asked for replaces the previous one: show the newest.
  showKeys(keys) {
    const { server, key } = splitRtmpUrl(keys.rtmp_url);
    $("rtmp-server").value = server;
    $("rtmp-key").value = key;
    $("whip-url").value = keys.whip_url;
    $("rtmp-fields").hidden = false;
    this.publisher.useKey(key);
  }
}

async function copyField(input, result) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();  // no clipboard API (http pages): selected, for the system's copy
    if (!document.execCommand?.("copy")) {
      result.textContent = t("Selected: copy it with your device's copy command.");
      return;
    }
  }
  result.textContent = t("Copied.");
}
