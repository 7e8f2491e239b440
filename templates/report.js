/* kedro-run-report: progressive enhancement only; the page is complete without it. */
(function () {
  "use strict";
  var doc = document;
  doc.documentElement.classList.add("js");
  Array.prototype.forEach.call(doc.querySelectorAll("[data-js]"), function (el) { el.hidden = false; });

  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  /* ---- tables: sort by clicking a header ---------------------------------------- */
  function sortKey(row, index, numeric) {
    var cell = row.children[index];
    if (!cell) { return numeric ? -Infinity : ""; }
    var raw = cell.getAttribute("data-v");
    if (raw === null && numeric && row.parentNode.parentNode.hasAttribute("data-compact")) {
      raw = jsonKey(row, index);  // big runs carry no sort keys in the file
    }
    if (numeric) {
      var n = parseFloat(raw !== null ? raw : cell.textContent);
      return isNaN(n) ? -Infinity : n;
    }
    return (raw !== null ? raw : cell.textContent).trim().toLowerCase();
  }

  all(doc, "table.data-table").forEach(function (table) {
    var body = table.tBodies[0];
    all(table, "thead th[data-sort]").forEach(function (th) {
      var button = doc.createElement("button");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var index = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = th.getAttribute("data-sort") === "num";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        all(table, "thead th").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
          return { row: row, key: sortKey(row, index, numeric), i: i };
        });
        rows.sort(function (a, b) {
          var c = a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i;
          return ascending ? c : -c;
        });
        var fragment = doc.createDocumentFragment();
        rows.forEach(function (r) { fragment.appendChild(r.row); });
        body.appendChild(fragment);
      });
    });
  });

  /* ---- copy buttons: the resume command to the clipboard --------------------------- */
  function selectText(el) {
    var range = doc.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  all(doc, "button[data-copy]").forEach(function (button) {
    var source = doc.getElementById(button.getAttribute("data-copy"));
    if (!source) { button.hidden = true; return; }
    var label = button.textContent;
    function done(word) {
      button.textContent = word;
      setTimeout(function () { button.textContent = label; }, 1500);
    }
    button.addEventListener("click", function () {
      var text = source.textContent;
      function fallback() {
        selectText(source);  // selected either way, so Ctrl+C works if copying is refused
        var copied = false;
        try { copied = doc.execCommand("copy"); } catch (err) { copied = false; }
        done(copied ? "Copied" : "Press Ctrl+C");
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done("Copied"); }, fallback);
      } else {
        fallback();
      }
    });
  });

  /* ---- the run status: tags, inputs and outputs of nodes come from the embedded JSON -- */
  var statusBlock = doc.getElementById("kedro-run-status");
  var runNodes = {}, runDatasets = {}, runData = {};
  try {
    runData = JSON.parse(statusBlock ? statusBlock.textContent : "{}");
    runNodes = runData.nodes || {};
    runDatasets = runData.datasets || {};
  } catch (err) { runNodes = {}; }

  /* big runs: numeric sort keys from the embedded JSON, as the small tables' data-v holds */
  var runStart = null;
  function jsonKey(row, index) {
    var id = row.id.replace(/^(node|dataset)-/, ""), v = null;
    if (row.id.indexOf("node-") === 0) {
      var n = runNodes[id] || {};
      if (index === 3 && n.start_time) {
        if (runStart === null) { runStart = Date.parse((runData.pipeline || {}).start_time || n.start_time); }
        v = (Date.parse(n.start_time) - runStart) / 1000;
      } else if (index === 4) { v = n.status === "success" || n.end_time ? n.duration : null; }
      else if (index === 5) { v = (n.load_duration || 0) + (n.save_duration || 0); }
      else if (index === 6) {
        var m = n.maxrss_kib || {};
        v = m.start != null && m.end != null ? Math.max(0, m.end - m.start) * 1024 : null;
      }
    } else {
      var d = runDatasets[id] || {};
      if (index === 2) { v = d.size_known === false ? null : d.size; }
      else if (index === 3) { v = d.rows; }
      else if (index === 6) { v = (d.load_duration || 0) + (d.save_duration || 0); }
    }
    return v === null || v === undefined || isNaN(v) ? "" : String(v);
  }

  /* ---- tables: filter by text, status, namespace and tag; the diagram and timeline dim -- */
  function applyFilter(form) {
    var table = doc.getElementById(form.getAttribute("data-table"));
    if (!table) { return; }
    var q = (form.elements.q.value || "").trim().toLowerCase();
    var status = form.elements.status ? form.elements.status.value : "";
    var ns = form.elements.namespace ? form.elements.namespace.value : "";
    var tag = form.elements.tag ? form.elements.tag.value : "";
    var rows = table.tBodies[0].rows, shown = 0, matching = {};
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var node = runNodes[row.id.replace(/^node-/, "")] || {};
      var nsCell = row.cells[1] ? row.cells[1].textContent.trim() : "–";  // the Namespace column
      var rowNs = nsCell === "–" ? "" : nsCell;
      // big runs leave data-status out where it is "success"
      var ok = (!status || (row.getAttribute("data-status") || "success") === status) &&
        (!ns || rowNs === ns || rowNs.indexOf(ns + ".") === 0) &&
        (!tag || (node.tags || []).indexOf(tag) !== -1) &&
        (!q || row.textContent.toLowerCase().indexOf(q) !== -1);
      row.hidden = !ok;
      if (ok) { shown++; matching[row.id] = true; }
    }
    var out = form.querySelector(".shown");
    if (out) { out.textContent = shown === rows.length ? "" : shown + " of " + rows.length + " shown"; }
    if (table.id === "node-table") { dimGraphics(q || status || ns || tag ? matching : null); }
  }
  function idOf(anchor) {
    var href = anchor.getAttribute("href") || anchor.getAttribute("xlink:href") || "";
    return href.charAt(0) === "#" ? href.slice(1) : "";
  }
  function dimGraphics(matching) {
    var graph = doc.querySelector("#diagram-viewport svg");
    if (graph) {
      graph.classList.toggle("filtered", !!matching);
      var near = {};  // datasets read or written by a matching node stay lit
      if (matching) {
        Object.keys(matching).forEach(function (rowId) {
          var node = runNodes[rowId.replace(/^node-/, "")] || {};
          (node.inputs || []).concat(node.outputs || []).forEach(function (d) { near["dataset-" + d] = true; });
        });
      }
      all(graph, ".node").forEach(function (group) {
        var a = group.querySelector("a");
        var id = a ? idOf(a) : "";
        group.classList.toggle("dim", !!matching && !matching[id] && !near[id]);
      });
    }
    all(doc, ".timeline a").forEach(function (bar) {
      bar.classList.toggle("dim", !!matching && !matching[idOf(bar)]);
    });
  }
  all(doc, "form.table-filter").forEach(function (form) {
    form.addEventListener("input", function () { applyFilter(form); });
    form.addEventListener("change", function () { applyFilter(form); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  });
  all(doc, "[data-filter-status]").forEach(function (card) {
    card.addEventListener("click", function () {
      var form = doc.querySelector('form[data-table="node-table"]');
      if (!form) { return; }
      form.elements.status.value = card.getAttribute("data-filter-status");
      applyFilter(form);
    });
  });

  /* ---- big runs: dataset names in the node table become links here, not in the file -- */
  var linkify = doc.querySelector("table[data-linkify]");
  if (linkify) {
    var ids = {};
    Object.keys(runDatasets).forEach(function (id) { ids[runDatasets[id].name] = id; });
    Array.prototype.forEach.call(linkify.tBodies[0].rows, function (row) {
      [8, 9].forEach(function (index) {
        var cell = row.cells[index];
        if (!cell) { return; }
        Array.prototype.slice.call(cell.childNodes).forEach(function (node) {
          var name = node.nodeType === 3 ? node.nodeValue.split("@")[0] : "";
          if (!name || !ids.hasOwnProperty(name)) { return; }
          var a = doc.createElement("a");
          a.setAttribute("href", "#dataset-" + ids[name]);
          a.textContent = node.nodeValue;
          cell.replaceChild(a, node);
        });
      });
    });
  }

  /* ---- errors: open the details a link points at ------------------------------------ */
  function fragmentId() {
    // a malformed fragment (a cut or hand-edited link: "#%E0%A4%A") names nothing; it must
    // not throw, or nothing after this point (the diagram's pan and zoom) would be set up
    try { return decodeURIComponent(location.hash.slice(1)); } catch (e) { return ""; }
  }
  function openTarget() {
    var id = fragmentId();
    var el = id && doc.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  /* ---- in a notebook: links inside a srcdoc frame ------------------------------------ */
  // A srcdoc document resolves "#id" against the notebook's address, so following an in-page
  // link would load the notebook into the frame: scroll to the target instead.
  if (location.href === "about:srcdoc") {
    doc.addEventListener("click", function (event) {
      var anchor = !event.defaultPrevented && event.target.closest && event.target.closest("a[href]");
      var href = anchor ? anchor.getAttribute("href") : "";
      if (href.charAt(0) !== "#") { return; }
      event.preventDefault();
      var id = "";
      try { id = decodeURIComponent(href.slice(1)); } catch (e) { return; }
      var el = id && doc.getElementById(id);
      if (!el) { return; }
      if (el.tagName === "DETAILS") { el.open = true; }
      el.scrollIntoView();
    });
  }
  window.addEventListener("beforeprint", function () {
    all(doc, "details").forEach(function (d) { d.open = true; });
  });

  /* ---- diagram: pan, zoom, inspect -------------------------------------------------- */
  var viewport = doc.getElementById("diagram-viewport");
  var svg = viewport && viewport.querySelector("svg");
  if (!svg) { return; }
  var home, view;
  function adopt(el) {
    // the diagram shown in the frame: its own extent is what Fit returns to
    svg = el;
    var base = svg.viewBox.baseVal;
    home = { x: base.x, y: base.y, w: base.width, h: base.height };
    view = { x: home.x, y: home.y, w: home.w, h: home.h };
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  }
  adopt(svg);

  function draw() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }
  function scaleOf() {
    var r = svg.getBoundingClientRect();
    return Math.max(view.w / (r.width || 1), view.h / (r.height || 1));
  }
  function fitHeight() {
    // as tall as the graph needs at its natural size (or fitted to the width), never taller
    // than most of the window, so small pipelines do not float in empty space
    var width = viewport.clientWidth || 1;
    var natural = home.h / Math.max(home.w / width, 1) + 16;
    var tallest = Math.max(320, window.innerHeight * 0.9);
    viewport.style.height = Math.round(Math.min(Math.max(natural, 200), tallest)) + "px";
  }
  function fit() {
    fitHeight();
    var r = svg.getBoundingClientRect();
    // the whole diagram: every diagram drawn is sized (and large runs are cut into views)
    // to stay readable when it fits the frame
    view = { x: home.x, y: home.y, w: home.w, h: home.h };
    draw();
  }
  function toUser(px, py) {
    // a point on the screen in the diagram's user units, under the current view
    var r = svg.getBoundingClientRect(), s = scaleOf();
    return [view.x + (view.w - r.width * s) / 2 + (px - r.left) * s,
            view.y + (view.h - r.height * s) / 2 + (py - r.top) * s];
  }
  function showFailure() {
    // a failed or interrupted run opens with where it stopped in view: when the fitted view
    // leaves the label of that node (or of the collapsed namespace holding it) outside the
    // frame, centre on it
    var frame = svg.getBoundingClientRect();
    var stopped = all(svg, "g.node.failed, g.node.interrupted, g.ns-sum.failed").filter(function (el) {
      var b = el.getBoundingClientRect();
      return b.width > 0 && b.height > 0;
    })[0];
    if (!stopped) { return; }
    // its label: a collapsed namespace's box can be larger than the frame
    var b = (stopped.querySelector("text") || stopped).getBoundingClientRect();
    if (b.top >= frame.top && b.bottom <= frame.bottom && b.left >= frame.left && b.right <= frame.right) { return; }
    var c = toUser(b.left + b.width / 2, b.top + b.height / 2);
    view.x = Math.min(Math.max(c[0] - view.w / 2, home.x), Math.max(home.x, home.x + home.w - view.w));
    view.y = Math.min(Math.max(c[1] - view.h / 2, home.y), Math.max(home.y, home.y + home.h - view.h));
    draw();
  }
  function zoom(factor, cx, cy) {
    var w = Math.min(Math.max(view.w * factor, home.w / 200), home.w * 4);
    factor = w / view.w;
    // keep the point under the cursor still: convert it to user units first
    var u = toUser(cx, cy), ux = u[0], uy = u[1];
    view.x = ux - (ux - view.x) * factor;
    view.y = uy - (uy - view.y) * factor;
    view.w *= factor;
    view.h *= factor;
    draw();
  }
  function centre() { var r = svg.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }

  viewport.addEventListener("wheel", function (event) {
    event.preventDefault();
    zoom(Math.pow(1.0015, event.deltaY), event.clientX, event.clientY);
  }, { passive: false });
  var drag = null, moved = false;
  viewport.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) { return; }
    drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y, s: scaleOf() };
    moved = false;
  });
  window.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
    moved = true;
    viewport.classList.add("dragging");
    view.x = drag.vx - dx * drag.s;
    view.y = drag.vy - dy * drag.s;
    draw();
  });
  window.addEventListener("pointerup", function () { drag = null; viewport.classList.remove("dragging"); });
  all(doc, "[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      var kind = button.getAttribute("data-zoom"), c = centre();
      if (kind === "reset") { fit(); } else { zoom(kind === "in" ? 0.7 : 1 / 0.7, c[0], c[1]); }
    });
  });

  var inspector = doc.getElementById("inspector");
  function text(tag, value, cls) {
    var el = doc.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }
  function link(href, label) { var a = text("a", label); a.setAttribute("href", href); return a; }
  function closeInspector() {
    inspector.hidden = true;
    all(svg, ".node.selected").forEach(function (n) { n.classList.remove("selected"); });
  }
  function inspect(group, href) {
    var row = doc.getElementById(href.slice(1));
    all(svg, ".node.selected").forEach(function (n) { n.classList.remove("selected"); });
    group.classList.add("selected");
    all(doc, "tr.flash").forEach(function (r) { r.classList.remove("flash"); });
    while (inspector.firstChild) { inspector.removeChild(inspector.firstChild); }
    var close = text("button", "×", "close");
    close.type = "button";
    close.setAttribute("aria-label", "Close details");
    close.addEventListener("click", closeInspector);
    inspector.appendChild(close);
    if (!row) { return; }
    row.classList.add("flash");
    var head = row.querySelector("th code") || row.querySelector("th");  // big runs: no <code>
    inspector.appendChild(text("h3", head.firstChild ? head.firstChild.textContent : ""));
    var dl = doc.createElement("dl");
    var heads = row.closest("table").tHead.rows[0].cells;
    for (var i = 1; i < row.cells.length; i++) {
      var value = row.cells[i].textContent.trim();
      if (!value || value === "–") { continue; }
      dl.appendChild(text("dt", heads[i].textContent.replace(/[↕↑↓]/g, "").trim()));
      dl.appendChild(text("dd", value));
    }
    inspector.appendChild(dl);
    var actions = text("p", "", "actions");
    actions.appendChild(link(href, "Show in table"));
    var err = row.querySelector("a.err-link");
    if (err) { actions.appendChild(link(err.getAttribute("href"), "Show error")); }
    inspector.appendChild(actions);
    inspector.hidden = false;
  }
  /* ---- diagram: collapse a namespace into its summary box, expand it again ---------- */
  var sums = all(svg, "g.ns-sum"), boxes = null;
  function rectOf(sum) {
    var r = sum.querySelector("rect");
    return { x: +r.getAttribute("x"), y: +r.getAttribute("y"), w: +r.getAttribute("width"), h: +r.getAttribute("height") };
  }
  function measure() {
    // once, while everything is shown: what lies inside which cluster never changes
    boxes = all(svg, "g.node, g.edge, .edges > path, g.cluster, g.ns-sum").map(function (el) {
      // hidden summaries have no rendered box: their rectangle says where they are
      var b = el.classList.contains("ns-sum") ? rectOf(el) : el.getBBox();
      return { el: el, x: b.x, y: b.y, w: b.w !== undefined ? b.w : b.width, h: b.h !== undefined ? b.h : b.height };
    });
  }
  function refresh(el) {
    var show = el.classList.contains("ns-sum") ? el._on && !el._h : !el._h;
    if (show) { el.removeAttribute("display"); el.removeAttribute("data-hidden"); }
    else { el.setAttribute("display", "none"); el.setAttribute("data-hidden", ""); }
  }
  function collapse(sum, on) {
    if (!!sum._on === on) { return; }
    if (!boxes) { measure(); }
    sum._on = on;
    var r = rectOf(sum);
    boxes.forEach(function (b) {
      if (b.el === sum || b.x < r.x - 1 || b.y < r.y - 1 || b.x + b.w > r.x + r.w + 1 || b.y + b.h > r.y + r.h + 1) { return; }
      b.el._h = (b.el._h || 0) + (on ? 1 : -1);
      refresh(b.el);
    });
    refresh(sum);
  }
  sums.forEach(function (sum) {
    sum.setAttribute("tabindex", "0");
    sum.setAttribute("role", "button");
    sum.setAttribute("aria-label", "Expand namespace " + sum.getAttribute("data-ns"));
    var cluster = doc.getElementById(sum.getAttribute("data-for") || "");
    var label = cluster && cluster.querySelector("text");
    if (label) {
      label.setAttribute("tabindex", "0");
      label.setAttribute("role", "button");
      label.setAttribute("aria-label", "Collapse namespace " + sum.getAttribute("data-ns"));
      label.appendChild(doc.createTextNode(" ⊟"));
      label._sum = sum;
    }
  });
  all(doc, "[data-ns-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = button.getAttribute("data-ns-all") === "collapse";
      // outer namespaces first when collapsing, inner first when expanding
      (on ? sums : sums.slice().reverse()).forEach(function (sum) { collapse(sum, on); });
    });
  });
  function toggleFrom(target) {
    var sum = target.closest && target.closest(".ns-sum");
    if (sum) { collapse(sum, false); return true; }
    if (target._sum) { collapse(target._sum, true); return true; }
    return false;
  }
  viewport.addEventListener("keydown", function (event) {
    if ((event.key === "Enter" || event.key === " ") && toggleFrom(event.target)) { event.preventDefault(); }
  });
  window.addEventListener("beforeprint", function () {
    sums.slice().reverse().forEach(function (sum) { sum._print = sum._on; collapse(sum, false); });
  });
  window.addEventListener("afterprint", function () {
    sums.forEach(function (sum) { if (sum._print) { collapse(sum, true); } });
  });

  viewport.addEventListener("click", function (event) {
    if (!moved && toggleFrom(event.target)) { return; }
    var anchor = event.target.closest && event.target.closest("a");
    if (!anchor) { return; }
    event.preventDefault();
    if (moved) { return; }
    var href = anchor.getAttribute("href") || anchor.getAttribute("xlink:href") || "";
    if (href.indexOf("#view-") === 0) { showView(href.slice(6)); return; }
    var group = anchor.closest(".node");
    if (group && href.charAt(0) === "#") { inspect(group, href); }
  });

  /* ---- large runs: an overview of boxes, each box opens its own diagram ------------- */
  var crumbs = doc.getElementById("diagram-crumbs");
  var topSvg = svg, topHome = null, shown = "";
  function frameOf(key) { return key ? doc.getElementById("view-" + key) : null; }
  function trail(key) {
    var out = [];
    while (key) {
      var frame = frameOf(key), details = frame && frame.parentNode;
      if (!details) { break; }
      out.unshift({ key: key, title: details.getAttribute("data-title") });
      key = details.getAttribute("data-parent");
    }
    out.unshift({ key: "", title: "Overview" });
    return out;
  }
  function showView(key) {
    var frame = frameOf(key);
    var next = key ? frame && frame.querySelector("svg") : topSvg;
    if (key && !next) {  // no diagram (too large a run, or its layout failed): say why
      var why = frame && frame.querySelector(".notice");
      showCrumbs(shown, why ? why.textContent : "");
      return;
    }
    if (next !== svg) {
      // the shown diagram goes back where it came from; the next one takes its place
      if (svg === topSvg) { topHome = topHome || doc.createElement("div"); topHome.appendChild(svg); }
      else { frameOf(svg.getAttribute("data-view-of")).appendChild(svg); }
      if (key) { next.setAttribute("data-view-of", key); }
      viewport.appendChild(next);
      closeInspector();
      adopt(next);
      fit();
      showFailure();
      shown = key;
    }
    showCrumbs(key, "");
  }
  function showCrumbs(key, notice) {
    // where the shown diagram sits: a button for each view above it, back to the overview
    if (!crumbs) { return; }
    while (crumbs.firstChild) { crumbs.removeChild(crumbs.firstChild); }
    var steps = trail(key);
    crumbs.hidden = steps.length < 2 && !notice;
    steps.forEach(function (step, i) {
      if (i) { crumbs.appendChild(doc.createTextNode("›")); }
      if (i === steps.length - 1) { crumbs.appendChild(text("span", step.title, "here")); return; }
      var button = text("button", step.title);
      button.type = "button";
      button.setAttribute("data-view", step.key || "overview");
      button.addEventListener("click", function () { showView(step.key); });
      crumbs.appendChild(button);
    });
    if (notice) { crumbs.appendChild(text("span", notice, "notice-inline")); }
  }
  all(svg, "g.group").forEach(function (box) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "button");
  });
  viewport.addEventListener("keydown", function (event) {
    var box = event.target.closest && event.target.closest("g.group");
    if (box && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      showView(box.getAttribute("data-view"));
    }
  });
  doc.addEventListener("keydown", function (event) { if (event.key === "Escape") { closeInspector(); } });
  if (viewport.getBoundingClientRect().width) { fit(); showFailure(); } else { draw(); }
  if (viewport.getAttribute("data-start-view")) { showView(viewport.getAttribute("data-start-view")); }
  // print the whole graph, whatever the current pan and zoom
  window.addEventListener("beforeprint", function () {
    view = { x: home.x, y: home.y, w: home.w, h: home.h };
    viewport.style.height = "";
    draw();
  });
  window.addEventListener("afterprint", fit);
  window.addEventListener("resize", draw);
})();
