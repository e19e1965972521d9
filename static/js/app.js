// Page-wide behaviour that HTML cannot express: keyboard shortcuts, the help dialog and
// dismissible messages. Kept out of inline handlers so the CSP can forbid inline script and eval.
(function () {
  "use strict";

  function isTyping(target) {
    if (!(target instanceof Element)) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
  }

  function helpDialog() {
    return document.getElementById("shortcuts-help");
  }

  let pendingGoto = false;
  let gotoTimer = null;

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    const dialog = helpDialog();
    if (event.key === "?") {
      if (dialog && !dialog.open) {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    if (pendingGoto) {
      pendingGoto = false;
      clearTimeout(gotoTimer);
      const link = document.querySelector('a[data-goto-key="' + CSS.escape(event.key) + '"]');
      if (link) {
        event.preventDefault();
        window.location.assign(link.href);
      }
      return;
    }
    if (event.key === "g") {
      pendingGoto = true;
      gotoTimer = setTimeout(function () { pendingGoto = false; }, 1500);
    }
  });

  function newIdempotencyKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, function (byte) { return byte.toString(16).padStart(2, "0"); }).join("");
  }

  // A form's hidden idempotency_key makes a double click (htmx queues the second submit with the
  // same values) or a resubmission act once. Once the server has answered, the next submit of a
  // form that stays on the page is a new, deliberate operation, so it gets a new key. Not after
  // a network failure or a 409 "still in flight": retrying those must reuse the key.
  document.addEventListener("htmx:finally:request", function (event) {
    const ctx = event.detail && event.detail.ctx;
    const status = ctx && ctx.response ? ctx.response.status : 0;
    if (!status || status === 409) return;
    const source = event.target instanceof Element ? event.target : null;
    const form = source && (source.matches("form") ? source : source.closest("form"));
    const field = form && form.isConnected ? form.querySelector('input[name="idempotency_key"]') : null;
    if (field) field.value = newIdempotencyKey();
  });

  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const dismiss = target.closest("[data-dismiss-message]");
    if (dismiss) {
      dismiss.closest("[data-message]")?.remove();
      return;
    }
    if (target.closest("[data-close-dialog]")) {
      target.closest("dialog")?.close();
      return;
    }
    // A click on the backdrop (outside the dialog's box) closes it.
    if (target instanceof HTMLDialogElement && target.open) {
      const box = target.getBoundingClientRect();
      const inside = event.clientX >= box.left && event.clientX <= box.right &&
        event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) target.close();
    }
  });
})();
