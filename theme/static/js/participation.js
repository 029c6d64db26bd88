/* Dorpsplein: a consultation's board, live (components/participation_board.html).
 *
 * Loaded deferred on a consultation page while it is open. Without it every
 * link works: the participation service's own pages take supports, reports
 * and ideas. With it:
 *
 * - when the reader nears the board, it is refreshed from
 *   GET <service>/api/<slug>/ideas (counts,
 *   order, ideas approved since the page was built, ideas hidden since);
 * - each "Steun dit idee" link becomes a button that asks the service for a
 *   form token (GET <service>/api/<slug>/form), waits the not_before seconds
 *   the service asks for, and POSTs the token (and the empty honeypot
 *   "website") with Accept: application/json to <service>/<slug>/steun/<id>;
 *   the count follows the answer. With e-mail verification the link stays
 *   a link: the service's form asks for the address.
 *
 * Every outcome is a sentence in the idea's status region (role=status):
 * success, each refusal reason of the service ({"reason", "message"}, see
 * docs/participation.md), a network failure. The sentences come from the
 * theme's catalogue as data-message-<reason> on this script's tag; an
 * unknown reason shows the service's own message, else a general sentence.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var board = document.querySelector("[data-participation-board]");
  if (!me || !board) { return; }

  var service = (me.getAttribute("data-participation") || "").replace(/\/+$/, "");
  var slug = me.getAttribute("data-slug");
  var byEmail = me.getAttribute("data-verification") === "email";
  var canSupport = me.getAttribute("data-can-support") === "true";
  var list = board.querySelector("[data-board-list]");
  var boardStatus = board.querySelector("[data-board-status]");
  var base = service + "/" + encodeURIComponent(slug);
  var api = service + "/api/" + encodeURIComponent(slug);
  var numberFormat = null;
  try { numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined); }
  catch (e) { numberFormat = null; }

  function attr(name) { return me.getAttribute(name) || ""; }
  function message(reason) { return attr("data-message-" + String(reason).replace(/_/g, "-")); }
  function number(n) { return numberFormat ? numberFormat.format(n) : String(n); }
  function counted(n) {
    return attr(n === 1 ? "data-count-one" : "data-count-many").replace("{n}", number(n));
  }

  // A sentence in a status region: emptied first, so the same sentence twice
  // is announced twice.
  function say(region, text, failed) {
    if (!region) { return; }
    region.textContent = "";
    region.classList.toggle("participation-idea__status--error", !!failed);
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // What the citizen reads for a refusal (status code, parsed body or null).
  function refusal(status, body) {
    var reason = body && typeof body.reason === "string" ? body.reason : "";
    if (reason && message(reason)) { return message(reason); }
    if (body && typeof body.message === "string" && body.message.trim()) {
      return body.message.trim().slice(0, 500);
    }
    if (status === 413) { return message("too_large"); }
    if (status === 429) { return message("rate_limited"); }
    if (status === 410) { return message("closed"); }
    if (status === 404) { return message("unknown"); }
    return message("refused");
  }

  function json(response) {
    return response.text().then(function (text) {
      var body = null;
      try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
      return { status: response.status, ok: response.ok, body: body };
    });
  }

  function get(url) {
    return window.fetch(url, {
      credentials: "include", headers: { "Accept": "application/json" }, cache: "no-store"
    }).then(json);
  }

  function wait(seconds) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, Math.max(0, Math.min(seconds, 30)) * 1000);
    });
  }

  /* ---- Support in place --------------------------------------------------- */

  function statusOf(item) { return item.querySelector("[data-idea-status]"); }

  function setCount(item, n) {
    var count = item.querySelector("[data-idea-count]");
    if (count && typeof n === "number" && isFinite(n)) { count.textContent = counted(n); }
  }

  function support(item, button, id) {
    var region = statusOf(item);
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    say(region, message("sending"));
    get(api + "/form").then(function (form) {
      if (!form.ok || !form.body || typeof form.body.token !== "string") {
        throw { refused: true, status: form.status, body: form.body };
      }
      var delay = Number(form.body.not_before) || 0;
      if (delay > 0) { say(region, message("waiting")); }
      return wait(delay).then(function () {
        var data = new URLSearchParams();
        data.append("token", form.body.token);
        data.append("website", "");
        return window.fetch(base + "/steun/" + encodeURIComponent(id), {
          method: "POST", credentials: "include", body: data,
          headers: { "Accept": "application/json" }
        }).then(json);
      });
    }).then(function (answer) {
      if (!answer.ok || !answer.body || answer.body.ok !== true) {
        throw { refused: true, status: answer.status, body: answer.body };
      }
      setCount(item, Number(answer.body.supports));
      button.textContent = attr("data-label-supported");
      button.setAttribute("aria-disabled", "true");
      say(region, message("supported"));
    }).catch(function (problem) {
      button.disabled = false;
      var text = problem && problem.refused ? refusal(problem.status, problem.body) :
        message("unreachable");
      if (problem && problem.body && problem.body.reason === "already_supported") {
        button.textContent = attr("data-label-supported");
        button.setAttribute("aria-disabled", "true");
      }
      say(region, text, true);
    }).then(function () {
      button.removeAttribute("aria-busy");
    });
  }

  // The link "Steun dit idee" becomes a button with the same words; the
  // link's own address stays the way without JavaScript.
  function enhance(item) {
    if (byEmail || !canSupport) { return; }
    var link = item.querySelector("a[data-idea-support]");
    if (!link) { return; }
    var id = link.getAttribute("data-idea-support");
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    while (link.firstChild) { button.appendChild(link.firstChild); }
    button.addEventListener("click", function () {
      if (button.getAttribute("aria-disabled") === "true") {
        say(statusOf(item), message("already_supported"));
        return;
      }
      support(item, button, id);
    });
    link.parentNode.replaceChild(button, link);
  }

  /* ---- The board, refreshed ------------------------------------------------ */

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function byline(idea) {
    var name = typeof idea.name === "string" ? idea.name.trim() : "";
    var place = typeof idea.place === "string" ? idea.place.trim() : "";
    if (name && place) {
      return attr("data-by-both").replace("{name}", name).replace("{place}", place);
    }
    if (name) { return name; }
    if (place) { return attr("data-by-place").replace("{place}", place); }
    return attr("data-anonymous");
  }

  function excerpt(text) {
    text = String(text || "").replace(/\s+/g, " ").trim();
    if (text.length <= 200) { return text; }
    return text.slice(0, 200).replace(/\s+\S*$/, "").replace(/[,.;:!?]+$/, "") + "…";
  }

  // An idea the build did not know (approved since): the same markup.
  function newItem(idea) {
    var id = String(idea.id);
    var item = element("li", "participation-idea");
    item.id = "idee-" + id;
    item.setAttribute("data-idea", id);
    var title = element("h3", "participation-idea__title");
    var href = typeof idea.url === "string" && /^(https?:)?\//.test(idea.url) ? idea.url : "";
    if (href) {
      var link = element("a", "", idea.title);
      link.href = href;
      title.appendChild(link);
    } else {
      title.textContent = idea.title;
    }
    item.appendChild(title);
    var text = excerpt(idea.text);
    if (text) { item.appendChild(element("p", "participation-idea__excerpt", text)); }
    var meta = element("p", "participation-idea__meta");
    meta.appendChild(element("span", "participation-idea__by", byline(idea)));
    meta.appendChild(document.createTextNode(" "));
    var count = element("span", "participation-idea__count", counted(idea.supports));
    count.setAttribute("data-idea-count", "");
    meta.appendChild(count);
    item.appendChild(meta);
    if (canSupport) {
      var actions = element("p", "participation-idea__actions");
      var supportLink = element("a", "button participation-idea__support", attr("data-label-support"));
      supportLink.href = base + "/steun/" + encodeURIComponent(id);
      supportLink.setAttribute("data-idea-support", id);
      supportLink.appendChild(element("span", "visually-hidden", ": " + idea.title));
      var report = element("a", "participation-idea__report", attr("data-label-report"));
      report.href = base + "/meld/" + encodeURIComponent(id);
      report.appendChild(element("span", "visually-hidden", ": " + idea.title));
      actions.appendChild(supportLink);
      actions.appendChild(document.createTextNode(" "));
      actions.appendChild(report);
      item.appendChild(actions);
      var status = element("p", "participation-idea__status");
      status.id = "idee-" + id + "-status";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      status.setAttribute("data-idea-status", "");
      item.appendChild(status);
      enhance(item);
    }
    return item;
  }

  function valid(idea) {
    return idea && typeof idea.id === "number" && idea.id > 0 &&
      typeof idea.title === "string" && typeof idea.supports === "number";
  }

  function refresh() {
    get(api + "/ideas").then(function (answer) {
      if (!answer.ok || !answer.body || !Array.isArray(answer.body.ideas)) {
        throw new Error("board");
      }
      var ideas = answer.body.ideas.filter(valid);
      var known = {};
      list.querySelectorAll("[data-idea]").forEach(function (item) {
        known[item.getAttribute("data-idea")] = item;
      });
      var focused = document.activeElement;
      ideas.forEach(function (idea) {
        var item = known[String(idea.id)] || newItem(idea);
        delete known[String(idea.id)];
        setCount(item, idea.supports);
        list.appendChild(item);  // in the board's order: by support, then id
      });
      // Hidden or merged since the page was built.
      Object.keys(known).forEach(function (id) {
        if (!known[id].contains(focused)) { known[id].remove(); }
      });
      if (focused && focused !== document.activeElement && document.contains(focused)) {
        focused.focus();
      }
      var empty = board.querySelector("[data-board-empty]");
      if (empty) { empty.hidden = ideas.length > 0; }
      var total = board.querySelector("[data-board-total]");
      if (total && typeof answer.body.total_supports === "number") {
        total.textContent = attr(ideas.length === 1 ? "data-ideas-one" : "data-ideas-many")
          .replace("{n}", number(ideas.length)) + " · " + counted(answer.body.total_supports);
      }
    }).catch(function () {
      say(boardStatus, message("board_failed"), true);
    });
  }

  // Older browsers keep the plain links.
  if (!(window.fetch && window.URLSearchParams && window.Promise)) { return; }
  list.querySelectorAll("[data-idea]").forEach(enhance);
  // The current board is asked for when the reader nears it (as the comment
  // thread loads when the reader reaches it): a reader who never scrolls to
  // the ideas costs the service nothing.
  if (window.IntersectionObserver) {
    var watcher = new window.IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        watcher.disconnect();
        refresh();
      }
    }, { rootMargin: "400px 0px" });
    watcher.observe(board);
  } else {
    refresh();
  }
}());
