// The timesheet's keys: ← or k goes to the previous week (or day), → or j to the next one.
(function () {
  "use strict";

  function isTyping(target) {
    if (!(target instanceof Element)) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
  }

  const directions = { ArrowLeft: "previous", k: "previous", ArrowRight: "next", j: "next" };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
    if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
    const direction = directions[event.key];
    const link = direction && document.querySelector('a[data-period-nav="' + direction + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });
})();
