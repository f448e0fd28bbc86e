// Publishing a camera over WHIP (RFC 9725): a sendonly transceiver per track, H.264 preferred,
// the offer POSTed once ICE gathering is complete (the server does no trickle), the answer
// applied, and the session's Location kept for the DELETE. The studio publishes with the
// page's session (cookie and CSRF token: no stream key, which a co-host may not hold); with a
// key (`start(stream, url, key)`), it goes as the bearer token, as OBS sends it.
// When the connection drops, the publisher ends the old session and offers again.

import { csrf } from "./api.js";
import { t } from "./i18n.js";
import { readAnswer } from "./studio_api.js";
import { sessionUrl } from "./stream_key.js";

const ICE_GATHERING_TIMEOUT_MS = 5000;  // then offer what was gathered
const DISCONNECTED_GRACE_MS = 5000;     // "disconnected" often heals by itself
const MAX_RETRIES = 6;
const RETRY_MS = 1000;                  // doubling per attempt
const VIDEO_MAX_BITRATE = 2_500_000;    // the worker transcodes; weak uplinks adapt below it

// H.264 first (packetization-mode=1, then constrained baseline), the other codecs after in
// the browser's order: the media worker decodes anything, but H.264 is cheapest for phones.
export function preferH264(codecs) {
  const isH264 = (c) => c.mimeType.toLowerCase() === "video/h264";
  const rank = (c) => {
    const fmtp = c.sdpFmtpLine ?? "";
    return (fmtp.includes("packetization-mode=1") ? 0 : 2) + (/profile-level-id=42e0/i.test(fmtp) ? 0 : 1);
  };
  const h264 = codecs.filter(isH264).sort((a, b) => rank(a) - rank(b));
  return [...h264, ...codecs.filter((c) => !isH264(c))];
}

// The headers that say who publishes: the stream key, or (no key) the page's session, whose
// cookie goes with every same-origin request and whose CSRF token the server checks.
export function publishHeaders(key, token = csrf) {
  if (key) return { Authorization: `Bearer ${key}` };
  return token ? { "X-CSRF-Token": token } : {};
}

// A refusal the next attempt would get again (a wrong key, a bad offer, the show ended).
const isFinal = (error) => error.status >= 400 && error.status < 500 && error.status !== 409 && error.status !== 429;

function preferCodecs(transceiver) {
  const caps = window.RTCRtpSender?.getCapabilities?.("video");
  if (!caps || typeof transceiver.setCodecPreferences !== "function") return;
  try { transceiver.setCodecPreferences(preferH264(caps.codecs)); } catch { /* keep defaults */ }
}

function iceGatheringComplete(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    const check = () => { if (pc.iceGatheringState === "complete") done(); };
    const timer = setTimeout(done, ICE_GATHERING_TIMEOUT_MS);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

export class WhipPublisher {
  // onState(state, detail): "connecting" | "live" | "reconnecting" | "stopped" | "error";
  // detail is the error's text for "error".
  constructor({ onState }) {
    this.onState = onState;
    this.pc = null;
    this.videoSender = null;
    this.resource = null;
    this.target = null;  // { whipUrl, key, stream }
    this.retries = 0;
    this.timer = null;
    this.active = false;
    addEventListener("pagehide", () => this.abandon());
  }

  get publishing() { return this.active; }

  // A newer key for this show (asked for on the page): the old one no longer ends sessions.
  useKey(key) {
    if (this.target?.key) this.target.key = key;
  }

  // `key`: the stream key, or null to publish with the page's session.
  async start(stream, whipUrl, key = null) {
    await this.stop({ quiet: true });
    this.target = { stream, whipUrl, key };
    this.active = true;
    this.retries = 0;
    this.onState("connecting");
    try {
      await this.offer();
    } catch (error) {
      this.fail(error);  // onState("error", its text)
    }
  }

  // Sends another camera's picture without a new session (the switch-camera button).
  async replaceVideoTrack(track) {
    await this.videoSender?.replaceTrack(track);
  }

  async offer() {
    const { stream, whipUrl, key } = this.target;
    const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
    this.pc = pc;
    for (const track of stream.getTracks()) {
      const init = { direction: "sendonly", streams: [stream] };
      if (track.kind === "video") init.sendEncodings = [{ maxBitrate: VIDEO_MAX_BITRATE }];
      const transceiver = pc.addTransceiver(track, init);
      if (track.kind === "video") {
        preferCodecs(transceiver);
        this.videoSender = transceiver.sender;
      }
    }
    pc.addEventListener("connectionstatechange", () => this.connectionChanged(pc));
    await pc.setLocalDescription(await pc.createOffer());
    await iceGatheringComplete(pc);
    const response = await fetch(whipUrl, {
      method: "POST",
      headers: { "Content-Type": "application/sdp", ...publishHeaders(key) },
      body: pc.localDescription.sdp,
    });
    if (!response.ok) await readAnswer(response);  // throws the problem's title
    const resource = sessionUrl(response.headers.get("Location"), whipUrl);
    const answer = await response.text();
    if (pc !== this.pc) {  // stopped (or restarted) while the server answered
      this.remove(resource, key);
      return;
    }
    this.resource = resource;
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
  }

  connectionChanged(pc) {
    if (pc !== this.pc || !this.active) return;
    clearTimeout(this.timer);
    const state = pc.connectionState;
    if (state === "connected") {
      this.retries = 0;
      this.onState("live");
    } else if (state === "disconnected") {
      this.onState("reconnecting");
      this.timer = setTimeout(() => this.restart(), DISCONNECTED_GRACE_MS);
    } else if (state === "failed") {
      this.onState("reconnecting");
      this.restart();
    }
  }

  // Ends the broken session (so the show has no stale publisher: 409 otherwise), offers again.
  async restart() {
    if (!this.active) return;
    if (this.retries >= MAX_RETRIES) {
      this.fail(new Error(t("The connection to the server keeps failing. Check the network, then go live again.")));
      return;
    }
    const delay = RETRY_MS * 2 ** this.retries++;
    this.closePeer();
    await this.remove(this.resource, this.target.key);
    this.resource = null;
    this.onState("reconnecting");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.active) return;
      this.offer().catch((error) => (isFinal(error) ? this.fail(error) : this.restart()));
    }, delay);
  }

  fail(error) {
    this.active = false;
    clearTimeout(this.timer);
    this.closePeer();
    this.remove(this.resource, this.target?.key);
    this.resource = null;
    this.onState("error", error.message);
  }

  // Stops sending (the tracks are the camera's: it stops them, not this).
  async stop({ quiet = false } = {}) {
    const wasActive = this.active;
    this.active = false;
    clearTimeout(this.timer);
    this.closePeer();
    const resource = this.resource;
    this.resource = null;
    await this.remove(resource, this.target?.key);
    if (wasActive && !quiet) this.onState("stopped");
  }

  closePeer() {
    const pc = this.pc;
    this.pc = null;
    pc?.close();
  }

  async remove(resource, key, { keepalive = false } = {}) {
    if (!resource) return;
    try {
      await fetch(resource, { method: "DELETE", headers: publishHeaders(key), keepalive });
    } catch { /* the server ends a session whose peer is gone anyway */ }
  }

  // The page is going away: end the session without waiting for the answer.
  abandon() {
    if (!this.resource) return;
    this.remove(this.resource, this.target?.key, { keepalive: true });
    this.resource = null;
  }
}
