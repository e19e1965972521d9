// The timer's browser side: the ticking clock, the "t" (toggle) and "s" (switch) shortcuts from any
// page, and announcements for screen readers. The server stays the source of truth: the clock
// counts on from the elapsed seconds it rendered, and every action goes through a normal request.
(function () {
  "use strict";
  if (window.worklogTimerLoaded) return;
  window.worklogTimerLoaded = true;

  const script = document.currentScript;
  const toggleUrl = script ? script.dataset.toggleUrl : null;
  const pickerUrl = script ? script.dataset.pickerUrl : null;

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

  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-elapsed-seconds]").forEach(function (clock) {
      if (!clock.dataset.renderedAt) clock.dataset.renderedAt = String(now);
      const base = Number(clock.dataset.elapsedSeconds);
      const since = Math.floor((now - Number(clock.dataset.renderedAt)) / 1000);
      const text = formatClock(base + since);
      if (clock.textContent !== text) clock.textContent = text;
    });
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

  function csrfToken() {
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}");
      return headers["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function newIdempotencyKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, function (byte) { return byte.toString(16).padStart(2, "0"); }).join("");
  }

  // Each key press is a deliberate toggle, so each gets its own Idempotency-Key: the server
  // acts on a press once, however often the browser or a proxy retries the request.
  function toggleTimer() {
    // On the dashboard the visible Start or Stop form is the toggle: htmx swaps the fragments.
    const form = document.querySelector("form[data-timer-toggle]");
    if (form) {
      const field = form.querySelector('input[name="idempotency_key"]');
      if (field) field.value = newIdempotencyKey();
      form.requestSubmit();
      return;
    }
    if (!toggleUrl) return;
    fetch(toggleUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "HX-Request": "true",
        "Idempotency-Key": '"' + newIdempotencyKey() + '"',
      },
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      const fragment = new DOMParser().parseFromString(html, "text/html");
      const source = fragment.querySelector("[data-announcement]");
      announce(source ? source.dataset.announcement : "Timer toggled.");
    }).catch(function () {
      announce("The timer could not be toggled. Please try again.");
    });
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

  // Fragments swapped in by htmx carry what happened; say it out loud.
  new MutationObserver(function (mutations) {
    let swapped = false;
    mutations.forEach(function (mutation) {
      mutation.addedNodes.forEach(function (node) {
        if (!(node instanceof Element) || node === announcer) return;
        swapped = true;
        const source = node.matches("[data-announcement]") ? node : node.querySelector("[data-announcement]");
        if (source) announce(source.dataset.announcement);
      });
    });
    if (swapped) tick();
  }).observe(document.documentElement, { childList: true, subtree: true });

  function start() {
    document.body.appendChild(announcer);
    tick();
    setInterval(tick, 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
