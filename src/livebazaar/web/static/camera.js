// The host's camera and microphone: the rear camera on a phone when it has one (facingMode
// "environment", else any camera), shown muted in a preview <video>.

import { t } from "./i18n.js";

const VIDEO = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } };
const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

// What to tell the host when the browser refuses.
export function cameraErrorText(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return t("The camera was not allowed: let this site use the camera and microphone, then try again.");
    case "NotFoundError":
    case "OverconstrainedError":
      return t("No camera was found on this device.");
    case "NotReadableError":
    case "AbortError":
      return t("The camera is busy: close other apps using it, then try again.");
    default:
      return error?.message || t("The camera could not start.");
  }
}

async function getMedia(constraints) {
  const media = navigator.mediaDevices;
  if (!media?.getUserMedia) {
    const error = new Error(window.isSecureContext
      ? t("This browser cannot share a camera.")
      : t("The camera needs a secure page: open the studio over https (or on this computer's localhost)."));
    error.name = "Unsupported";
    throw error;
  }
  return media.getUserMedia(constraints);
}

export class Camera {
  constructor(preview) {
    this.preview = preview;
    this.stream = null;
    this.facing = "environment";
  }

  get on() { return this.stream !== null; }
  get videoTrack() { return this.stream?.getVideoTracks()[0] ?? null; }
  get audioTrack() { return this.stream?.getAudioTracks()[0] ?? null; }

  // The preview's stream; asks for the camera (and the microphone, when there is one).
  async start() {
    if (this.stream) return this.stream;
    const video = { ...VIDEO, facingMode: { ideal: this.facing } };
    let stream;
    try {
      stream = await getMedia({ video, audio: AUDIO });
    } catch (error) {
      if (error.name === "NotAllowedError" || error.name === "Unsupported") throw error;
      // No rear camera, no microphone, or constraints it cannot meet: take what there is.
      stream = await getMedia({ video: true, audio: true })
        .catch(() => getMedia({ video: true, audio: false }));
    }
    this.stream = stream;
    this.preview.srcObject = stream;
    this.preview.play().catch(() => {});
    return stream;
  }

  // How many cameras the device has (labels and counts are known once one was allowed).
  async cameraCount() {
    const devices = await navigator.mediaDevices?.enumerateDevices?.().catch(() => []) ?? [];
    return devices.filter((d) => d.kind === "videoinput").length;
  }

  // Front <-> rear. The old camera stops first (phones often open one at a time); answers
  // the new video track, already in this.stream.
  async switchFacing() {
    if (!this.stream) return null;
    const next = this.facing === "environment" ? "user" : "environment";
    const old = this.videoTrack;
    old?.stop();
    let fresh;
    try {
      fresh = await getMedia({ video: { ...VIDEO, facingMode: { exact: next } }, audio: false });
      this.facing = next;
    } catch {
      fresh = await getMedia({ video: { ...VIDEO, facingMode: { ideal: this.facing } }, audio: false });
    }
    const track = fresh.getVideoTracks()[0];
    if (old) this.stream.removeTrack(old);
    this.stream.addTrack(track);
    this.preview.srcObject = this.stream;
    return track;
  }

  // Mutes or unmutes the microphone; answers whether it is now muted.
  toggleMicrophone() {
    const track = this.audioTrack;
    if (!track) return true;
    track.enabled = !track.enabled;
    return !track.enabled;
  }

  stop() {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.preview.srcObject = null;
  }
}
