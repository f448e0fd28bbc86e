// The studio's live panel: GET /api/v1/shows/{id}/stats every 3 s (host only), and the viewer
// count as soon as a viewers.count event says it. Until the server has the endpoint (404), or
// while it cannot be reached, the figures show dashes and the page carries on.

import { $ } from "./dom.js";
import { formatCount, t, tn } from "./i18n.js";
import { formatMoney } from "./minor_units.js";
import { showUrl } from "./studio_api.js";

const POLL_MS = 3000;
const HIDDEN_POLL_MS = 15_000;  // the tab is in the background
const DASH = "–";
const FIELDS = ["viewers-now", "viewers-peak", "reactions", "orders", "units", "spm", "revenue"];

const count = (n) => (Number.isFinite(n) ? formatCount(n) : DASH);

export class StatsPanel {
  constructor(showId) {
    this.showId = showId;
    this.peak = null;
    this.timer = null;
  }

  start() {
    this.poll();
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.poll();
    });
  }

  async poll() {
    clearTimeout(this.timer);
    try {
      const response = await fetch(showUrl(this.showId, "/stats"), {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      if (response.ok) {
        this.render(await response.json());
        this.note("");
      } else {
        this.dashes();
        this.note(response.status === 404
          ? t("Sales figures are not available yet.")
          : t("Sales figures: HTTP {status}", { status: response.status }));
      }
    } catch {
      this.note(t("Sales figures paused: no connection."));
    } finally {
      this.timer = setTimeout(() => this.poll(), document.hidden ? HIDDEN_POLL_MS : POLL_MS);
    }
  }

  render(stats) {
    this.peak = Number.isFinite(stats.viewers_peak) ? stats.viewers_peak : null;
    this.set("viewers-now", count(stats.viewers_now));
    this.set("viewers-peak", count(stats.viewers_peak));
    this.set("reactions", count(stats.reactions));
    this.set("orders", count(stats.orders));
    this.set("units", count(stats.units));
    this.set("spm", Number.isFinite(stats.sales_per_minute)
      ? formatCount(stats.sales_per_minute, { maximumFractionDigits: 1 }) : DASH);
    const revenue = Array.isArray(stats.revenue) ? stats.revenue.filter((r) => r?.currency).map(formatMoney) : null;
    this.set("revenue", revenue === null ? DASH : (revenue.join(" + ") || "0"));
  }

  // A viewers.count event: now, and the peak when it is passed.
  viewersNow(n) {
    this.set("viewers-now", count(n));
    $("viewer-count").textContent = tn("{n} watching", "{n} watching", n, { n: formatCount(n) });
    if (this.peak !== null && n > this.peak) {
      this.peak = n;
      this.set("viewers-peak", count(n));
    }
  }

  dashes() {
    for (const name of FIELDS) if (name !== "viewers-now") this.set(name, DASH);
    this.peak = null;
  }

  set(name, text) {
    const node = $(`stat-${name}`);
    if (node.textContent !== text) node.textContent = text;
  }

  note(text) {
    const node = $("stats-note");
    if (node.textContent !== text) node.textContent = text;
  }
}
