/* Dorpsplein preview: the problems of the last build, over the page.
 *
 * Only `./go serve` sends this file: dorpsplein/preview.py adds its script
 * tag to every HTML page as it serves it, and the built site never holds
 * either. Once a second (and when the tab comes back into view) it asks the
 * preview for /__dorpsplein/status.json, the outcome of the last build:
 *
 * - problems: a panel on top of the page (the last good version stays
 *   underneath) with, for each one, the file, the line, what is wrong and
 *   how to fix it; role="alert", so a screen reader reads it out. It traps
 *   nothing: "Verbergen" (or Escape) hides it until the next failing build.
 * - no problems, after this page saw some: the page reloads, showing the
 *   fixed text (livereload may skip a reload that comes within 3 s of the
 *   last one; this never does).
 *
 * The panel lives in a shadow root: the site's styles never reach it and
 * its styles never reach the site. Texts come from the preview, in
 * EDITOR_LANGUAGE; problem texts are set as text, never as HTML.
 */
(function () {
  "use strict";
  var STATUS = "/__dorpsplein/status.json";
  var HIDDEN = "dorpsplein-problems-hidden";
  var EVERY = 1000;

  var CSS = [
    ":host { all: initial; }",
    ".panel { position: fixed; z-index: 2147483647; top: 0.75rem; left: 0.75rem;",
    "  right: 0.75rem; max-width: 44rem; margin: 0 auto; box-sizing: border-box;",
    "  max-height: calc(100vh - 1.5rem); overflow: auto; padding: 1rem 1.25rem 1.25rem;",
    "  background: #ffffff; color: #1f1f1f; border: 2px solid #a1122a;",
    "  border-top-width: 0.5rem; border-radius: 0.5rem;",
    "  box-shadow: 0 0.5rem 2rem rgba(0, 0, 0, 0.35);",
    "  font: 400 1rem/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;",
    "  text-align: left; overflow-wrap: anywhere; }",
    ".top { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: flex-start;",
    "  justify-content: space-between; }",
    "h2 { margin: 0; font-size: 1.25rem; line-height: 1.3; font-weight: 700; color: #a1122a;",
    "  flex: 1 1 14rem; }",
    "p { margin: 0; }",
    ".intro { margin-top: 0.5rem; }",
    "ol { margin: 0.75rem 0 0; padding: 0; list-style: none; }",
    "li { padding: 0.75rem 0 0; margin-top: 0.75rem; border-top: 1px solid #c9c9c9; }",
    ".where { font-weight: 700; }",
    ".file { font-family: ui-monospace, 'Cascadia Mono', Consolas, monospace;",
    "  font-size: 0.9375rem; background: #f1f1f1; padding: 0 0.25rem; border-radius: 0.25rem; }",
    ".fix { margin-top: 0.25rem; }",
    "button { font: inherit; font-weight: 700; color: #ffffff; background: #1f1f1f;",
    "  border: 2px solid #1f1f1f; border-radius: 0.375rem; padding: 0.5rem 1rem;",
    "  min-height: 2.75rem; cursor: pointer; }",
    "button:hover { background: #3d3d3d; }",
    "button:focus-visible { outline: 3px solid #1a56db; outline-offset: 2px; }",
    "@media print { .panel { display: none; } }"
  ].join("\n");

  var alertRegion = null;
  var shownBuild = null;   // the build whose problems are on screen
  var sawProblems = false; // this page has seen a failed build

  function setUp() {
    var host = document.createElement("div");
    host.id = "dorpsplein-preview-problems";
    var root = host.attachShadow({mode: "open"});
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
    // Empty until there are problems: filling it is what screen readers announce.
    alertRegion = document.createElement("div");
    alertRegion.setAttribute("role", "alert");
    root.appendChild(alertRegion);
    // First in the page, so the first Tab reaches "Verbergen".
    document.body.insertBefore(host, document.body.firstChild);
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function sentence(text) {
    text = text.charAt(0).toUpperCase() + text.slice(1);
    return /[.?!:)]$/.test(text) ? text : text + ".";
  }

  function hiddenBuild() {
    try { return window.sessionStorage.getItem(HIDDEN); } catch (e) { return null; }
  }

  function hide(build) {
    try { window.sessionStorage.setItem(HIDDEN, build); } catch (e) { /* private mode */ }
    alertRegion.textContent = "";
  }

  function show(status) {
    var say = status.say;
    var panel = element("section", "panel");
    panel.id = "problems";
    panel.setAttribute("lang", status.lang);
    panel.setAttribute("aria-labelledby", "problems-title");
    var top = element("div", "top");
    var heading = element("h2", null, say.heading);
    heading.id = "problems-title";
    var button = element("button", null, say.hide);
    button.type = "button";
    button.addEventListener("click", function () { hide(status.build); });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hide(status.build); }
    });
    top.appendChild(heading);
    top.appendChild(button);
    panel.appendChild(top);
    panel.appendChild(element("p", "intro", say.intro));
    var list = element("ol");
    status.problems.forEach(function (problem) {
      var item = element("li");
      if (problem.file) {
        var where = element("p", "where");
        where.appendChild(element("span", "file", problem.file));
        if (problem.line) {
          where.appendChild(document.createTextNode(
            ", " + say.line.replace("{line}", String(problem.line))));
        }
        item.appendChild(where);
      }
      item.appendChild(element("p", "what", sentence(problem.what)));
      if (problem.fix) {
        var fix = element("p", "fix");
        fix.appendChild(element("strong", null, say.fix));
        fix.appendChild(document.createTextNode(" " + sentence(problem.fix)));
        item.appendChild(fix);
      }
      list.appendChild(item);
    });
    panel.appendChild(list);
    alertRegion.textContent = "";
    alertRegion.appendChild(panel);
  }

  function take(status) {
    if (status.ok) {
      if (sawProblems) { window.location.reload(); return; }
      alertRegion.textContent = "";
      shownBuild = null;
      return;
    }
    sawProblems = true;
    if (status.build === shownBuild) { return; }
    shownBuild = status.build;
    if (hiddenBuild() === status.build) {
      alertRegion.textContent = "";
    } else {
      show(status);
    }
  }

  var timer = null;
  var asking = false;

  function ask() {
    window.clearTimeout(timer);
    if (asking) { return; }
    asking = true;
    window.fetch(STATUS, {cache: "no-store"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) { if (status) { take(status); } })
      .catch(function () { /* the preview is restarting: ask again */ })
      .then(function () {
        asking = false;
        // A hidden tab stops asking; coming back into view asks at once.
        if (document.visibilityState !== "hidden") { timer = window.setTimeout(ask, EVERY); }
      });
  }

  setUp();
  ask();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { ask(); }
  });
}());
