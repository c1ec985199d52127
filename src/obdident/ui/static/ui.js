// obdident ui: the scan page's live progress, from server-sent events. Text only (textContent), no markup.
(function () {
  "use strict";
  var scan = document.getElementById("scan");
  if (!scan || scan.dataset.done === "yes" || !window.EventSource) { return; }
  var list = document.getElementById("progress");
  var news = document.querySelector(".news");
  var heading = document.getElementById("heading");
  var next = document.getElementById("next");
  var seen = Number(scan.dataset.seen);
  var count = 0;
  var source = new EventSource(scan.dataset.events);
  function text(event) { return JSON.parse(event.data).text; }
  function skip() { count += 1; return count <= seen; }
  source.addEventListener("progress", function (event) {
    if (skip()) { return; }
    var item = document.createElement("li");
    item.textContent = text(event);
    list.appendChild(item);
  });
  ["vin", "head_unit"].forEach(function (kind) {
    source.addEventListener(kind, function (event) {
      if (skip()) { return; }
      var line = document.createElement("p");
      line.className = "found";
      line.dataset.kind = kind;
      line.textContent = text(event);
      news.appendChild(line);
    });
  });
  source.addEventListener("done", function () {
    source.close();
    heading.textContent = "The scan has ended";
    next.classList.remove("secondary");
    window.location.assign(scan.dataset.result);
  });
})();
