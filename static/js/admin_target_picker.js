// The work session admin's target picker: typing searches every target (the timer's own search)
// and shows the matches as choices, keeping the one already chosen.
(function () {
  "use strict";

  function attach(picker) {
    const search = picker.querySelector("[data-target-search]");
    let timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        const chosen = picker.querySelector("input[type='radio']:checked");
        const url = picker.dataset.searchUrl + "&q=" + encodeURIComponent(search.value) +
          "&target=" + encodeURIComponent(chosen ? chosen.value : "") +
          "&field=" + encodeURIComponent(picker.dataset.fieldName);
        fetch(url, { credentials: "same-origin" }).then(function (response) {
          return response.ok ? response.text() : null;
        }).then(function (html) {
          if (html === null) return;
          const choices = picker.querySelector("#target-choices");
          const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("target-choices");
          if (choices && fresh) choices.replaceWith(document.importNode(fresh, true));
        });
      }, 250);
    });
    // Enter in the search field would submit the admin form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-target-picker]").forEach(attach);
  });
})();
