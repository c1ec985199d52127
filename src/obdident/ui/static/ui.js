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
// obdident ui: the Print button prints the page for the dealer from a hidden frame (no new window).
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var old = document.getElementById("print-frame");
    if (old) { old.remove(); }
    var frame = document.createElement("iframe");
    frame.id = "print-frame";
    frame.title = "The page for the dealer, for printing";
    frame.style.position = "absolute";
    frame.style.width = "0";
    frame.style.height = "0";
    frame.style.border = "0";
    frame.addEventListener("load", function () { frame.contentWindow.focus(); frame.contentWindow.print(); });
    frame.src = button.dataset.page;
    document.body.appendChild(frame);
  });
})();
