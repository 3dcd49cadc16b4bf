// projects: behaviour of this feature, initialised with htmx.onLoad so swapped content works too.
// The board's drag-and-drop posts the same move as the form on each card; a refused move puts
// the card back where it was and shows the reasons in #flash.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function recount(board) {
    board.querySelectorAll(".board-column").forEach(function (column) {
      var count = column.querySelector("[data-count]");
      if (count) count.textContent = column.querySelectorAll(".board-card").length;
    });
    board.querySelectorAll("[data-total-for]").forEach(function (total) {
      var stage = total.getAttribute("data-total-for");
      total.textContent = board.querySelectorAll('.cards-list[data-stage="' + stage + '"] .board-card').length;
    });
  }

  function putBack(event) {
    var before = event.from.children[event.oldIndex] || null;
    event.from.insertBefore(event.item, before);
  }

  function onEnd(event) {
    if (event.from === event.to) return;
    var card = event.item;
    var board = card.closest("[data-board]");
    var body = new URLSearchParams();
    body.set("to", event.to.getAttribute("data-stage"));
    body.set("view", "card");
    body.set("next", card.getAttribute("data-next") || "");
    card.setAttribute("aria-busy", "true");
    fetch(card.getAttribute("data-move-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "HX-Request": "true",
        "Accept": "text/html",
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: body
    }).then(function (response) {
      return response.text().then(function (html) {
        card.removeAttribute("aria-busy");
        if (response.ok) {
          htmx.swap(card, html, { swapStyle: "outerHTML" });
        } else {
          putBack(event);
          htmx.swap("#flash", html, { swapStyle: "innerHTML" });
          var flash = document.getElementById("flash");
          if (flash) flash.scrollIntoView({ block: "nearest" });
        }
        if (board) recount(board);
      });
    }).catch(function () {
      card.removeAttribute("aria-busy");
      putBack(event);
      if (board) recount(board);
    });
  }

  htmx.onLoad(function (root) {
    if (typeof Sortable === "undefined" || !root.querySelectorAll) return;
    var lists = Array.prototype.slice.call(root.querySelectorAll(".cards-list[data-stage]"));
    if (root.matches && root.matches(".cards-list[data-stage]")) lists.push(root);
    lists.forEach(function (list) {
      if (list.getAttribute("data-sortable") === "on") return;
      list.setAttribute("data-sortable", "on");
      Sortable.create(list, {
        group: "board-lane-" + list.getAttribute("data-lane"),
        sort: false,
        animation: 150,
        draggable: ".board-card",
        filter: "select, button, input, label",
        preventOnFilter: false,
        forceFallback: true,
        fallbackTolerance: 4,
        onEnd: onEnd
      });
    });
  });
})();

// The assign form's "all branches" box ticks or clears every branch; ticking them all ticks it.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    var group = box.closest && box.closest("[data-select-all-group]");
    if (!group) return;
    var all = group.querySelector("[data-select-all]");
    var boxes = Array.prototype.slice.call(group.querySelectorAll(".checkbox-list input[type=checkbox]"));
    if (box === all) {
      boxes.forEach(function (b) { b.checked = all.checked; });
    } else if (all) {
      all.checked = boxes.every(function (b) { return b.checked; });
    }
  });
})();
