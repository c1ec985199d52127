// obdident ui: the scan page's live progress, from server-sent events. Text only (textContent), no markup.
// The script's own words come from the page (#ui-words, JSON translated by the server): no words here.
function obdidentWords() {
  "use strict";
  var element = document.getElementById("ui-words");
  try { return element ? JSON.parse(element.textContent) : {}; } catch (e) { return {}; }
}
(function () {
  "use strict";
  var words = obdidentWords();
  var scan = document.getElementById("scan");
  if (!scan) { return; }
  // the scan ended while this page was being made (a scan that fails at once): its result, at once
  if (scan.dataset.done === "yes") { window.location.assign(scan.dataset.result); return; }
  if (!window.EventSource) { return; }
  var list = document.getElementById("progress");
  var news = document.querySelector(".news");
  var heading = document.getElementById("heading");
  var next = document.getElementById("next");
  var seen = Number(scan.dataset.seen);
  var count = 0;
  var source = new EventSource(scan.dataset.events);
  function text(event) { return JSON.parse(event.data).text; }
  // the line, each identifier in it (VIN, part and serial numbers) in a monospace span
  function fill(element, event) {
    var data = JSON.parse(event.data);
    var rest = data.text;
    var ids = (data.ids || []).filter(function (id) { return id; });
    while (rest) {
      var at = -1, found = "";
      ids.forEach(function (id) {
        var i = rest.indexOf(id);
        if (i >= 0 && (at < 0 || i < at || (i === at && id.length > found.length))) { at = i; found = id; }
      });
      if (at < 0) { element.appendChild(document.createTextNode(rest)); break; }
      element.appendChild(document.createTextNode(rest.slice(0, at)));
      var span = document.createElement("span");
      span.className = "value";
      span.textContent = found;
      element.appendChild(span);
      rest = rest.slice(at + found.length);
    }
  }
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
      fill(line, event);
      news.appendChild(line);
    });
  });
  source.addEventListener("done", function () {
    source.close();
    if (words.ended) { heading.textContent = words.ended; }
    next.classList.remove("secondary");
    window.location.assign(scan.dataset.result);
  });
})();
// obdident ui: the Print button prints the page for the dealer from a hidden frame (no new window).
(function () {
  "use strict";
  var words = obdidentWords();
  var button = document.getElementById("print");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var old = document.getElementById("print-frame");
    if (old) { old.remove(); }
    var frame = document.createElement("iframe");
    frame.id = "print-frame";
    frame.title = words.print_frame || "";
    frame.style.position = "absolute";
    frame.style.width = "0";
    frame.style.height = "0";
    frame.style.border = "0";
    frame.addEventListener("load", function () { frame.contentWindow.focus(); frame.contentWindow.print(); });
    frame.src = button.dataset.page;
    document.body.appendChild(frame);
  });
})();
