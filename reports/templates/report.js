// Zoom and pan of the timelines: every chart shares one visible window of
// the run. Shapes sit in a group scaled horizontally (their strokes do not
// scale); labels are moved and shown only where they fit; the time axis and
// its grid are redrawn for the window.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var body = document.body;
  var W = Number(body.dataset.width);
  var T0 = Number(body.dataset.t0);
  var T1 = Number(body.dataset.t1);
  var PER = Number(body.dataset.per) || 1;
  var UNIT = body.dataset.unit || "";
  var MIN_SPAN = W / 50000;
  var view = { x0: 0, x1: W };
  var pending = false;

  var charts = Array.prototype.map.call(document.querySelectorAll("svg.tl"), function (svg) {
    var plot = svg.querySelector("svg.plot");
    var labels = Array.prototype.map.call(svg.querySelectorAll("text.lbl"), function (t) {
      return { el: t, x0: Number(t.dataset.x0), x1: Number(t.dataset.x1), y: t.getAttribute("y"), w: -1 };
    });
    var pins = Array.prototype.map.call(svg.querySelectorAll("text.pin"), function (t) {
      return { el: t, x1: Number(t.dataset.x1) };
    });
    return {
      svg: svg,
      plot: plot,
      pins: pins,
      zoom: svg.querySelector("g.z"),
      grid: svg.querySelector("g.grid"),
      axis: svg.querySelector("g.axis"),
      height: plot ? Number(plot.getAttribute("height")) : 0,
      labels: labels
    };
  });

  // Label widths, measured once while every label is shown.
  charts.forEach(function (c) {
    c.labels.forEach(function (l) {
      try { l.w = l.el.getComputedTextLength(); } catch (e) { l.w = l.el.textContent.length * 6; }
    });
  });

  function timeAt(x) { return T0 + (x / W) * (T1 - T0); }
  function xAt(t) { return ((t - T0) / (T1 - T0)) * W; }

  // A step of 1, 2 or 5 times a power of ten giving about `n` ticks over `span`.
  function niceStep(span, n) {
    var raw = span / n;
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }

  function format(v, step) {
    var digits = Math.max(0, -Math.floor(Math.log10(step)));
    return v.toFixed(Math.min(digits, 6));
  }

  function clear(g) { while (g && g.firstChild) { g.removeChild(g.firstChild); } }

  function el(name, attrs, text) {
    var e = document.createElementNS(SVGNS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function drawAxis(c, k) {
    if (!c.axis) { return; }
    clear(c.axis);
    clear(c.grid);
    var s0 = timeAt(view.x0) / PER;
    var s1 = timeAt(view.x1) / PER;
    var step = niceStep(s1 - s0, 10);
    var first = Math.ceil(s0 / step) * step;
    c.axis.appendChild(el("line", { x1: 0, x2: W, y1: 0, y2: 0 }));
    for (var v = first; v <= s1 + step / 1000; v += step) {
      var x = (xAt(v * PER) - view.x0) * k;
      c.axis.appendChild(el("line", { x1: x, x2: x, y1: 0, y2: 4 }));
      c.axis.appendChild(el("text", { x: x, y: 16 }, format(v, step)));
      if (c.grid) { c.grid.appendChild(el("line", { x1: x, x2: x, y1: 0, y2: c.height })); }
    }
    c.axis.appendChild(el("text", { x: -8, y: 16, "class": "unit" }, UNIT));
  }

  function apply() {
    pending = false;
    var k = W / (view.x1 - view.x0);
    charts.forEach(function (c) {
      if (c.zoom) {
        c.zoom.setAttribute("transform", "translate(" + (-view.x0 * k) + ",0) scale(" + k + ",1)");
      }
      c.labels.forEach(function (l) {
        var a = Math.max((l.x0 - view.x0) * k, 0);
        var b = Math.min((l.x1 - view.x0) * k, W);
        if (b - a >= l.w + 4) {
          l.el.setAttribute("x", a + 2);
          l.el.style.display = "";
        } else {
          l.el.style.display = "none";
        }
      });
      c.pins.forEach(function (p) { p.el.setAttribute("x", (p.x1 - view.x0) * k + 3); });
      drawAxis(c, k);
    });
    var label = document.getElementById("window-label");
    if (label) {
      var s0 = timeAt(view.x0) / PER;
      var s1 = timeAt(view.x1) / PER;
      label.textContent = "showing " + s0.toFixed(1) + " to " + s1.toFixed(1) + " " + UNIT;
    }
  }

  function schedule() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(apply);
    }
  }

  function setView(x0, x1) {
    var span = Math.min(Math.max(x1 - x0, MIN_SPAN), W);
    x0 = Math.min(Math.max(x0, 0), W - span);
    view.x0 = x0;
    view.x1 = x0 + span;
    schedule();
  }

  // Zooms by `factor` (below 1: in) keeping the point at plot x `px` in place.
  function zoomAt(px, factor) {
    var span = view.x1 - view.x0;
    var at = view.x0 + (px / W) * span;
    var next = span * factor;
    setView(at - (px / W) * next, at - (px / W) * next + next);
  }

  function plotX(c, clientX) {
    var r = c.plot.getBoundingClientRect();
    return Math.min(Math.max(((clientX - r.left) / r.width) * W, 0), W);
  }

  charts.forEach(function (c) {
    if (!c.plot) { return; }
    c.svg.addEventListener("wheel", function (e) {
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        zoomAt(plotX(c, e.clientX), e.deltaY < 0 ? 0.8 : 1.25);
      } else if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        var span = view.x1 - view.x0;
        setView(view.x0 + (e.deltaX / W) * span, view.x1 + (e.deltaX / W) * span);
      }
    }, { passive: false });
    c.svg.addEventListener("dblclick", function (e) { zoomAt(plotX(c, e.clientX), 0.5); });
    c.svg.addEventListener("mousedown", function (e) {
      if (e.button !== 0) { return; }
      var startX = e.clientX;
      var start = { x0: view.x0, x1: view.x1 };
      var width = c.plot.getBoundingClientRect().width || W;
      c.svg.classList.add("dragging");
      function move(m) {
        var shift = ((m.clientX - startX) / width) * (start.x1 - start.x0);
        setView(start.x0 - shift, start.x1 - shift);
      }
      function up() {
        c.svg.classList.remove("dragging");
        window.removeEventListener("mousemove", move);
        window.removeEventListener("mouseup", up);
      }
      window.addEventListener("mousemove", move);
      window.addEventListener("mouseup", up);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-zoom]"), function (b) {
    b.addEventListener("click", function () {
      var what = b.dataset.zoom;
      if (what === "all") { setView(0, W); }
      else { zoomAt(W / 2, what === "in" ? 0.5 : 2); }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".cx-button"), function (b) {
    b.addEventListener("click", function () {
      setView(Number(b.dataset.x0), Number(b.dataset.x1));
      var clients = document.getElementById("clients");
      if (clients && clients.scrollIntoView) { clients.scrollIntoView({ block: "start" }); }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("input[data-kind]"), function (box) {
    box.addEventListener("change", function () {
      var lines = document.querySelectorAll("#messages line.m-" + box.dataset.kind);
      Array.prototype.forEach.call(lines, function (l) { l.style.display = box.checked ? "" : "none"; });
    });
  });

  var copy = document.getElementById("copy-replay");
  if (copy) {
    copy.addEventListener("click", function () {
      var text = document.getElementById("replay-command").textContent;
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { copy.textContent = "copied"; }, function () {});
      } else {
        var range = document.createRange();
        range.selectNodeContents(document.getElementById("replay-command"));
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
      }
    });
  }

  // `#zoom=cx` opens the page on the first counterexample; `#zoom=A-B` on
  // the stretch from A to B (in the axis' unit).
  var hash = /^#zoom=(cx|([0-9.]+)-([0-9.]+))$/.exec(window.location.hash);
  if (hash && hash[1] === "cx") {
    var first = document.querySelector(".cx-button");
    if (first) { setView(Number(first.dataset.x0), Number(first.dataset.x1)); }
  } else if (hash) {
    setView(xAt(Number(hash[2]) * PER), xAt(Number(hash[3]) * PER));
  }

  apply();
  body.dataset.ready = "1";
})();
