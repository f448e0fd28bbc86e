// What POST /api/v1/shows/{id}/stream-key answers, as a host's tools want it.

// "rtmp://host:1935/live/<key>" -> { server: "rtmp://host:1935/live", key: "<key>" }: OBS and
// phone apps ask for the server and the stream key apart.
export function splitRtmpUrl(rtmpUrl) {
  const url = String(rtmpUrl);
  const cut = url.lastIndexOf("/");
  if (!/^rtmps?:\/\/[^/]+\/.+\/[^/]+$/.test(url)) throw new Error(`not an RTMP publish URL: ${url}`);
  return { server: url.slice(0, cut), key: url.slice(cut + 1) };
}

// The WHIP session to DELETE: its Location header resolved against the WHIP endpoint.
export function sessionUrl(location, whipUrl) {
  return location ? new URL(location, whipUrl).href : null;
}
