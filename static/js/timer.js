// The timer's browser side: the ticking clocks and the tab title, the "t" (toggle) and "s"
// (switch) shortcuts from any page, announcements for screen readers, and keeping open tabs in
// step. The server stays the source of truth: clocks count on from the elapsed seconds it
// rendered, every action is a normal request, and a tab that learns of a change elsewhere asks
// the server for its timer regions again.
(function () {
  "use strict";
  if (window.worklogTimerLoaded) return;
  window.worklogTimerLoaded = true;

  const script = document.currentScript;
  const pickerUrl = script ? script.dataset.pickerUrl : null;
  const CHECK_EVERY_MS = 30000;
  let pageTitle = document.title;
  let version = null;

  function isTyping(target) {
    if (!(target instanceof Element)) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
  }

  function formatClock(seconds) {
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const secs = seconds % 60;
    return hours + ":" + String(minutes).padStart(2, "0") + ":" + String(secs).padStart(2, "0");
  }

  function header() {
    return document.getElementById("timer-header");
  }

  // The title says what runs, for a tab in the background: "▶ 1:23:45 Card form · Worklog".
  function showInTitle() {
    const clock = document.querySelector("#timer-header [data-title-clock]");
    const label = document.querySelector("#timer-header [data-title-label]");
    const title = clock && label ? "▶ " + clock.textContent + " " + label.dataset.titleLabel + " · Worklog" : pageTitle;
    if (document.title !== title) document.title = title;
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-elapsed-seconds]").forEach(function (clock) {
      if (!clock.dataset.renderedAt) clock.dataset.renderedAt = String(now);
      const base = Number(clock.dataset.elapsedSeconds);
      const since = Math.floor((now - Number(clock.dataset.renderedAt)) / 1000);
      const text = formatClock(base + since);
      if (clock.textContent !== text) clock.textContent = text;
    });
    showInTitle();
  }

  // A live region that exists from the start (screen readers ignore regions that appear with
  // their text already in them); it doubles as a short-lived visible toast.
  const announcer = document.createElement("div");
  announcer.id = "timer-announcer";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  announcer.className = "pointer-events-none fixed bottom-4 right-4 z-50 max-w-sm rounded-lg bg-slate-900 px-4 py-3 text-sm text-white shadow-lg opacity-0 transition-opacity";
  let hideTimer = null;

  function announce(text) {
    if (!text) return;
    announcer.textContent = text;
    announcer.classList.remove("opacity-0");
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () {
      announcer.classList.add("opacity-0");
      announcer.textContent = "";
    }, 4000);
  }

  function newIdempotencyKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, function (byte) { return byte.toString(16).padStart(2, "0"); }).join("");
  }

  // The header's toggle is on every page (on the dashboard it answers with the whole panel).
  // Each key press is a deliberate toggle, so each gets its own Idempotency-Key.
  function toggleTimer() {
    const form = document.querySelector("form[data-timer-toggle]");
    if (!form) return;
    const field = form.querySelector('input[name="idempotency_key"]');
    if (field) field.value = newIdempotencyKey();
    // A header swapped in a moment ago may not be wired to htmx yet; without this the press
    // would submit the form as a full page load.
    if (window.htmx && !form.hasAttribute("data-htmx-powered")) window.htmx.process(form);
    form.requestSubmit();
  }

  function openPicker() {
    const search = document.getElementById("target-search");
    if (search) {
      search.scrollIntoView({ block: "center" });
      search.focus();
      announce("Search what to switch to.");
    } else if (document.getElementById("target-picker")) {
      announce("Nothing to switch to has been set up yet.");
    } else if (pickerUrl) {
      window.location.assign(pickerUrl);
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
    if (event.key === "t") {
      event.preventDefault();
      toggleTimer();
    } else if (event.key === "s") {
      event.preventDefault();
      openPicker();
    }
  });

  // Tabs in step. A change made in this tab (its header comes back with a new version) is told
  // to the user's other tabs of this browser at once; a change made elsewhere (another device,
  // the API, the admin) is found by a cheap conditional check every 30 seconds and whenever the
  // tab comes back into view. Either way the tab then fetches its page again and swaps in its
  // timer regions ([data-timer-sync]), leaving alone a region the user is typing in.
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("worklog-timer") : null;
  let refreshing = null;

  function refreshRegions() {
    if (refreshing) return refreshing;
    refreshing = fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        const fresh = new DOMParser().parseFromString(html, "text/html");
        const freshHeader = fresh.getElementById("timer-header");
        if (freshHeader) version = freshHeader.dataset.timerVersion;
        document.querySelectorAll("[data-timer-sync][id]").forEach(function (region) {
          const replacement = fresh.getElementById(region.id);
          if (!replacement || (region.id !== "timer-header" && region.contains(document.activeElement) && isTyping(document.activeElement))) return;
          const node = document.importNode(replacement, true);
          region.replaceWith(node);
          if (window.htmx) window.htmx.process(node);
        });
        tick();
      })
      .catch(function () {})
      .finally(function () { refreshing = null; });
    return refreshing;
  }

  function learnVersion(newVersion, fromElsewhere) {
    if (!newVersion || newVersion === version) return;
    version = newVersion;
    if (fromElsewhere) {
      refreshRegions();
    } else if (channel) {
      channel.postMessage({ version: newVersion });
    }
  }

  if (channel) {
    channel.onmessage = function (event) {
      learnVersion(event.data && event.data.version, true);
    };
  }

  function checkForChanges() {
    const current = header();
    if (!current || !current.dataset.stateUrl) return;
    // Without cookies: the signed token in the URL names the user, so the check stays cheap.
    fetch(current.dataset.stateUrl, {
      credentials: "omit",
      cache: "no-store",
      headers: { "If-None-Match": '"' + version + '"' },
    }).then(function (response) {
      if (response.status === 304) return null;
      if (response.status === 403) return refreshRegions();
      return response.ok ? response.json() : null;
    }).then(function (state) {
      if (state && state.version) learnVersion(state.version, true);
    }).catch(function () {});
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") checkForChanges();
  });
  window.addEventListener("focus", checkForChanges);

  // Fragments swapped in by htmx carry what happened; say it out loud, and note a new version.
  new MutationObserver(function (mutations) {
    let swapped = false;
    mutations.forEach(function (mutation) {
      mutation.addedNodes.forEach(function (node) {
        if (!(node instanceof Element) || node === announcer) return;
        swapped = true;
        const source = node.matches("[data-announcement]") ? node : node.querySelector("[data-announcement]");
        if (source) announce(source.dataset.announcement);
        if (node.id === "timer-header") learnVersion(node.dataset.timerVersion, false);
      });
    });
    if (swapped) tick();
  }).observe(document.documentElement, { childList: true, subtree: true });

  function start() {
    const current = header();
    version = current ? current.dataset.timerVersion : null;
    document.body.appendChild(announcer);
    tick();
    setInterval(tick, 1000);
    setInterval(checkForChanges, CHECK_EVERY_MS);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
