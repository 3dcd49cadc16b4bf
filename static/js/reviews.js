// reviews: behaviour of this feature, initialised with htmx.onLoad so swapped content works too.
(function () {
  "use strict";

  // Charts read their data as JSON from the canvas's data-chart attribute (no inline script: CSP-safe,
  // and it survives htmx swaps, which drop script elements).
  function drawChart(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") return;
    var data = JSON.parse(canvas.getAttribute("data-chart") || "{}");
    var kind = canvas.getAttribute("data-chart-kind") || "bar";
    canvas.dataset.drawn = "1";
    var red = "#c8102e";
    var dataset = kind === "line"
      ? { label: data.title, data: data.totals, borderColor: red, backgroundColor: red, tension: 0.2, fill: false }
      : { label: data.title, data: data.counts, backgroundColor: ["#1a7f37", "#0969da", "#bf8700", red] };
    new window.Chart(canvas, {
      type: kind,
      data: { labels: data.labels, datasets: [dataset] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: kind === "line" ? { y: { suggestedMin: 60, suggestedMax: 100 } } : { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  function init(root) {
    root.querySelectorAll("canvas.js-chart").forEach(drawChart);
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest(".js-print")) window.print();
  });

  if (window.htmx) {
    window.htmx.onLoad(init);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      if (window.htmx) window.htmx.onLoad(init); else init(document);
    });
  }
})();
