// The catalog page: once an item is in the basket, its card's form goes back to quantity 1 and
// no instructions, ready for the next order. The server says an add succeeded with an
// HX-Trigger "basket-line-added" event on the form that sent it; a refused add keeps the input.
(function () {
  "use strict";
  document.addEventListener("basket-line-added", function (event) {
    const form = event.target instanceof Element ? event.target.closest("form") : null;
    if (form) form.reset();
  });
})();
