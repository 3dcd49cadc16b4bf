// ledger: behaviour of this feature, initialised with htmx.onLoad so swapped content works too.
(function () {
  "use strict";
  // Print buttons (no inline handlers: the CSP forbids them).
  document.addEventListener("click", function (event) {
    if (event.target.closest(".print-button")) window.print();
  });
})();
