/* Harbor docs preview: polls /status (with its ETag, so an unchanged spec costs a 304), lists
   the spec's problems in the bar, and re-renders Swagger UI or ReDoc in place when the bundled
   document changes. Talks to this server only. */
(function () {
  "use strict";
  var POLL_MS = 500;
  var HIDDEN_POLL_MS = 3000; // a background tab need not follow every save
  var ui = document.body.getAttribute("data-ui");
  var bar = document.getElementById("harbor-bar");
  var shown = null; // the version of the document on screen
  var etag = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text; // never innerHTML: messages quote the spec
    return node;
  }

  var state = el("span", "harbor-state", "Loading…");
  var problems = el("details", "harbor-problems");
  var count = el("summary", "", "");
  var list = el("ol", "harbor-list");
  problems.appendChild(count);
  problems.appendChild(list);

  function buildBar() {
    var nav = el("nav", "harbor-nav");
    [["index", "/", "Harbor docs"], ["swagger", "/swagger", "Swagger UI"],
     ["redoc", "/redoc", "ReDoc"], ["json", "/openapi.json", "openapi.json"]].forEach(function (link) {
      var a = el("a", link[0] === ui ? "harbor-current" : "", link[2]);
      a.href = link[1];
      nav.appendChild(a);
    });
    bar.appendChild(nav);
    bar.appendChild(state);
    bar.appendChild(problems);
  }

  function placeholder(text) {
    var host = document.getElementById("harbor-ui");
    if (host) host.replaceChildren(el("p", "harbor-placeholder", text));
  }

  function render(version) {
    var old = document.getElementById("harbor-ui");
    if (!old || (ui !== "swagger" && ui !== "redoc")) return;
    var fresh = el("div");
    var y = window.scrollY;
    // Keep the page as tall as it was while the new rendering builds, so the scroll stays put.
    fresh.style.minHeight = old.offsetHeight + "px";
    old.replaceWith(fresh);
    fresh.id = "harbor-ui";
    var url = "/openapi.json?v=" + encodeURIComponent(version);
    var done = function () {
      fresh.style.minHeight = "";
      window.scrollTo(0, y);
    };
    if (ui === "swagger") {
      // No "Try it out": there is no server behind a preview (`harbor mock SPEC` is one).
      window.SwaggerUIBundle({ url: url, domNode: fresh, deepLinking: true, validatorUrl: null,
                               supportedSubmitMethods: [], onComplete: done });
    } else {
      window.Redoc.init(url, { scrollYOffset: "#harbor-bar" }, fresh, done);
    }
  }

  function problemItem(problem) {
    var item = el("li", "harbor-" + problem.level);
    item.appendChild(el("code", "harbor-where", problem.where));
    item.appendChild(el("span", "harbor-message", " " + problem.message));
    item.appendChild(el("span", "harbor-by", " " + problem.by));
    if (problem.excerpt) item.appendChild(el("pre", "harbor-excerpt", problem.excerpt));
    return item;
  }

  function show(status) {
    var n = status.problems.length;
    // Errors fail `harbor lint`; a warning is a note (Spectral skipped, a validator hiccup).
    var errors = status.problems.filter(function (p) { return p.level === "error"; }).length;
    var notes = n - errors ? " (" + (n - errors) + " note(s))" : "";
    var text;
    var tone;
    if (status.broken) {
      tone = "broken";
      text = status.document ? "The last save cannot be read: showing the last good version"
                             : "The spec cannot be read";
    } else if (status.linting) {
      tone = "linting";
      text = errors ? "Linting… " + errors + " problem(s) so far" : "Linting…";
    } else {
      tone = errors ? "problems" : "clean";
      text = (errors ? errors + " lint problem(s)" : "No lint errors") + notes;
    }
    state.textContent = text;
    bar.className = "harbor-" + tone;
    count.textContent = n ? n + " problem(s)" : "no problems";
    list.replaceChildren.apply(list, status.problems.map(problemItem));
    if (status.broken) problems.open = true; // the reason the page did not change
    var files = document.getElementById("harbor-files");
    if (files) files.replaceChildren.apply(files, status.files.map(function (f) { return el("li", "", f); }));
    if (status.document && status.document !== shown) {
      shown = status.document;
      render(shown);
    } else if (!status.document) {
      placeholder("Nothing to show yet: fix the problem above and save; the page follows.");
    }
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch("/status", { headers: headers, cache: "no-store" })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("status " + response.status);
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (status) {
        bar.removeAttribute("data-offline");
        if (status) show(status);
      })
      .catch(function () {
        bar.setAttribute("data-offline", "");
        state.textContent = "harbor docs is not answering (stopped?): retrying";
      })
      .then(function () {
        setTimeout(poll, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
      });
  }

  buildBar();
  poll();
})();
