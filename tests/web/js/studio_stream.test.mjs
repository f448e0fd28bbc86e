// What the studio says about the stream, from the show's state as the server knows it.
import assert from "node:assert/strict";
import { test } from "node:test";

// player.js reaches api.js, which reads the page's CSRF meta tag when loaded.
globalThis.document ??= { querySelector: () => null };
const { streamStatus } = await import("../../../src/livebazaar/web/static/studio_stream.js");

const URL = "http://x/media/shows/s/live.m3u8";
const show = (status, publisher, hls_url = null) => ({ status, playback: { hls_url, vod_url: null, publisher } });

test("on air only while the show is live and someone publishes", () => {
  assert.deepEqual(streamStatus(show("live", "rtmp", URL)),
    { key: "On air: receiving your video over RTMP (OBS or an app).", onAir: true, url: URL });
  assert.equal(streamStatus(show("live", "whip", URL)).onAir, true);
  const silent = streamStatus(show("live", null, URL));  // the playlist outlives a publisher
  assert.equal(silent.onAir, false);
  assert.match(silent.key, /no video arrives/);
  assert.equal(silent.url, URL, "the last seconds still preview");
});

test("a show not started or ended is never on air, and previews nothing", () => {
  for (const status of ["scheduled", "ended"]) {
    const said = streamStatus(show(status, "rtmp", URL));
    assert.equal(said.onAir, false, status);
    assert.equal(said.url, null, status);
  }
  assert.match(streamStatus(show("ended", null)).key, /ended/);
});
