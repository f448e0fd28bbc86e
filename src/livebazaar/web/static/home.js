// The home page. Without this module it already works: "Remind me" is a form that posts and
// comes back. With it, the toggle flips in place through PUT/DELETE
// /api/v1/shows/{id}/reminder and a polite live region says what happened; times read in the
// viewer's own zone and country codes as names, in the page's language.

import { csrf, signInFirst } from "./api.js";
import { localizeTimes, regionName, t } from "./i18n.js";

const status = document.getElementById("remind-status");

function say(text) {
  if (status) status.textContent = text;
}

async function problemText(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function toggle(form) {
  if (form.dataset.busy) return;
  const button = form.querySelector("button");
  const field = form.elements.namedItem("remind");
  const title = document.getElementById(`title-${form.dataset.showId}`)?.textContent.trim() ?? "";
  const want = field.value === "on";
  form.dataset.busy = "1";
  button.setAttribute("aria-busy", "true");
  try {
    const headers = { Accept: "application/json" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    const response = await fetch(`/api/v1/shows/${encodeURIComponent(form.dataset.showId)}/reminder`, {
      method: want ? "PUT" : "DELETE", headers, credentials: "same-origin",
    });
    if (response.status === 401) {
      signInFirst();
      return;
    }
    if (!response.ok) {
      say(t("The reminder did not change: {reason}", { reason: await problemText(response) }));
      return;
    }
    button.setAttribute("aria-pressed", String(want));
    field.value = want ? "off" : "on";
    say(t(want ? "Reminder set: {title}" : "Reminder removed: {title}", { title }));
  } catch {
    say(t("The reminder did not change: the network failed. Try again."));
  } finally {
    delete form.dataset.busy;
    button.removeAttribute("aria-busy");
  }
}

for (const form of document.querySelectorAll("form.remind")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    toggle(form);
  });
}

// Times in the viewer's zone: "Sat 1 May, 20:00" instead of "1 May 2031, 18:00 UTC".
localizeTimes(document, "time[data-local]", {
  weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
});

// Country names: "China" for CN (the code stays in the option values and the URL).
for (const node of document.querySelectorAll("[data-country]")) {
  const name = regionName(node.dataset.country);
  if (name && name !== node.dataset.country) node.textContent = name;
}
