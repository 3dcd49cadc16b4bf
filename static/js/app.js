// Behaviour that needs JavaScript; every page also works without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The phone menu: a button toggles the navigation.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".nav-toggle");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
    if (nav) nav.classList.toggle("open", !open);
  });

  // Buttons with data-confirm ask before they submit (no inline handlers: the CSP forbids them).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  // After an htmx error swap into the flash area, bring it into view for the reader.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "flash" && event.detail.failed) {
      event.detail.target.scrollIntoView({ block: "nearest" });
    }
  });
})();
