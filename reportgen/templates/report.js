/* The report's only script: a filter over the failure and flaky lists, and every output
   excerpt opened before printing. Without it the page reads the same, minus the filter box. */
(function () {
  "use strict";
  var wrap = document.getElementById("filter-box");
  var box = document.getElementById("filter");
  var status = document.getElementById("filter-status");
  if (wrap && box && status) {
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-filterable]"));
    var texts = items.map(function (el) {
      var parts = el.querySelectorAll(".name, .msg");
      var text = "";
      for (var i = 0; i < parts.length; i++) { text += " " + parts[i].textContent; }
      return text.toLowerCase();
    });
    wrap.hidden = false;
    box.addEventListener("input", function () {
      var query = box.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (el, i) {
        var hit = !query || texts[i].indexOf(query) !== -1;
        el.hidden = !hit;
        if (hit) { shown += 1; }
      });
      status.textContent = query ? shown + " of " + items.length + " shown" : "";
    });
  }
  window.addEventListener("beforeprint", function () {
    var blocks = document.querySelectorAll("details");
    for (var i = 0; i < blocks.length; i++) { blocks[i].open = true; }
  });
})();
