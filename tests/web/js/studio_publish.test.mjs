// What the studio derives from a stream key answer, and the codec order it offers over WHIP.
import assert from "node:assert/strict";
import { test } from "node:test";

import { sessionUrl, splitRtmpUrl } from "../../../src/livebazaar/web/static/stream_key.js";

// whip.js reaches api.js, which reads the page's CSRF meta tag when loaded.
globalThis.document ??= { querySelector: () => null };
const { preferH264 } = await import("../../../src/livebazaar/web/static/whip.js");

test("the RTMP URL splits into the server and the key OBS asks for", () => {
  assert.deepEqual(splitRtmpUrl("rtmp://live.example.org:1935/live/abc_DEF-123"), {
    server: "rtmp://live.example.org:1935/live",
    key: "abc_DEF-123",
  });
  assert.throws(() => splitRtmpUrl("https://example.org/whip"));
  assert.throws(() => splitRtmpUrl("rtmp://host:1935/live/"));
});

test("the WHIP session's Location resolves against the endpoint", () => {
  const whip = "http://127.0.0.1:8000/api/v1/shows/s1/whip";
  assert.equal(sessionUrl("/api/v1/shows/s1/whip/r1", whip), "http://127.0.0.1:8000/api/v1/shows/s1/whip/r1");
  assert.equal(sessionUrl("https://other.example/x", whip), "https://other.example/x");
  assert.equal(sessionUrl(null, whip), null);
});

test("H.264 goes first, packetization-mode 1 and baseline before the rest", () => {
  const codecs = [
    { mimeType: "video/VP8" },
    { mimeType: "video/rtx", sdpFmtpLine: "apt=96" },
    { mimeType: "video/H264", sdpFmtpLine: "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f" },
    { mimeType: "video/H264", sdpFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f" },
    { mimeType: "video/H264", sdpFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f" },
    { mimeType: "video/VP9" },
  ];
  const ordered = preferH264(codecs);
  assert.deepEqual(ordered.map((c) => c.mimeType), ["video/H264", "video/H264", "video/H264", "video/VP8", "video/rtx", "video/VP9"]);
  assert.match(ordered[0].sdpFmtpLine, /packetization-mode=1;profile-level-id=42e01f/);
  assert.match(ordered[1].sdpFmtpLine, /packetization-mode=1;profile-level-id=640c1f/);
  assert.equal(ordered.length, codecs.length);
  assert.deepEqual(preferH264([{ mimeType: "video/VP8" }]), [{ mimeType: "video/VP8" }]);
});

test("the studio publishes with its session; a key goes as the bearer token", async () => {
  const { publishHeaders } = await import("../../../src/livebazaar/web/static/whip.js");
  assert.deepEqual(publishHeaders(null, "tok"), { "X-CSRF-Token": "tok" });
  assert.deepEqual(publishHeaders("abc", "tok"), { Authorization: "Bearer abc" });
  assert.deepEqual(publishHeaders(null, null), {});
});
