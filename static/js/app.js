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
