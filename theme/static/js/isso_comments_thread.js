/* Dorpsplein: the comment thread, once the reader gets there, and always
 * telling the citizen what happened. Loaded by js/isso_comments.js (the small
 * loader on every article page) right before Isso's own embed script, so none
 * of this is downloaded by a reader who never reaches the comments.
 *
 * Isso 0.14 ignores refusals: the text just stays in the box. So this script
 * watches Isso's requests to the comment server (XMLHttpRequest, for URLs
 * under data-isso) and puts a sentence from our catalogue next to the form
 * or comment concerned, in a role="alert" element:
 *
 *   data-message-<key>   one sentence per refusal code of the server
 *                        ({"reason": code, "message": ...}, see
 *                        dorpsplein/comments/refusals.py); {n} and {limit}
 *                        are filled in. Unknown codes show the server's
 *                        message, else a sentence chosen by HTTP status.
 *   data-max-length      maxlength of the comment boxes (the server's limit).
 *   data-load-timeout    ms before "could not be loaded" + a retry button
 *                        when the thread has not arrived (read at each try).
 *
 * It also reworks what Isso draws, as it draws it (a MutationObserver):
 * a visible label on each comment box, the thread's heading as an h3 under
 * our h2, date tooltips in the page's language, and votes, edit, save and
 * cancel as real buttons ("Nuttig (3)": data-label-useful[-count],
 * data-label-not-useful[-count], {n} filled in).
 *
 * Each form says, just above its submit button (which points to it with
 * aria-describedby), what is shown of the citizen, with a link to the
 * privacy statement: data-consent-text, then data-consent-more and a link
 * (data-consent-link, data-consent-url) when the site has one.
 *
 * Remembering name, e-mail and website in the browser is opt-in. Isso reads
 * them from localStorage (isso-author, isso-email, isso-website) when it
 * draws a form and writes them in its submit button's click handler, every
 * time. Each form gets a checkbox (data-label-remember), unticked unless our
 * own flag (localStorage "dorpsplein-remember" = "1") is set. Without the
 * flag, Isso's three keys are removed before Isso starts, before each reply
 * form is drawn, and right after each post: our click listener is added to
 * the submit button after Isso's own (Isso adds its listener before the form
 * is in the page; ours when it appears), so it runs after Isso wrote them.
 * Ticked and posted: the flag is set and Isso's keys are kept. Unticked: the
 * flag and the keys are removed at once, and again at each post. Without
 * localStorage there is no checkbox (nothing could be remembered).
 *
 * Before Isso starts (and before each reply box), the name, e-mail and
 * website Isso remembers are also checked: Isso writes them into its form's
 * HTML unescaped, so characters that could end the attribute are escaped,
 * and anything but a short string without control characters is removed.
 */
(function () {
  "use strict";
  // The page's loader script carries Isso's options and our texts.
  var me = document.querySelector("script[data-isso]");
  var section = document.getElementById("reacties");
  var thread = document.getElementById("isso-thread");
  if (!me || !section || !thread) { return; }

  var endpoint = me.getAttribute("data-isso");
  var lang = me.getAttribute("data-isso-lang") || document.documentElement.lang || undefined;
  var maxLength = parseInt(me.getAttribute("data-max-length"), 10);

  // Made by the loader (it says "loading" while this file arrives).
  var status = document.getElementById("reacties-status");
  var retryBox = document.createElement("p");
  retryBox.className = "comments__retry";
  retryBox.hidden = true;
  var retryButton = document.createElement("button");
  retryButton.type = "button";
  retryButton.className = "button";
  retryButton.textContent = me.getAttribute("data-label-retry");
  retryButton.setAttribute("aria-describedby", status.id);
  retryBox.appendChild(retryButton);
  thread.parentNode.insertBefore(retryBox, thread);

  function text(key) { return me.getAttribute("data-message-" + key) || ""; }

  /* ---- What Isso remembers about the citizen ---------------------------- */

  var REMEMBERED = { "isso-author": 100, "isso-email": 254, "isso-website": 254 };
  var CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
  var ENTITY = { "&": "&amp;", "'": "&#39;", '"': "&quot;", "<": "&lt;", ">": "&gt;", "`": "&#96;" };

  // Isso puts the value between quotes in its form's HTML: escape what could
  // end the attribute, so D'Hondt keeps his name and nothing else runs.
  // Idempotent (an entity already written is left as it is), because Isso
  // stores the raw typed value again only when the citizen posts.
  function escaped(value) {
    return value.replace(/&(?!(?:amp|#39|quot|lt|gt|#96);)|['"<>`]/g, function (ch) {
      return ENTITY[ch];
    });
  }

  // The value to keep in storage for Isso, or null to remove it.
  function safeRemembered(raw, limit) {
    var value;
    try { value = JSON.parse(raw); } catch (e) { return null; }
    if (typeof value !== "string" || CONTROL.test(value)) { return null; }
    value = escaped(value);
    return value.length <= limit * 6 && value.replace(/&[#a-z0-9]+;/g, "x").length <= limit ?
      JSON.stringify(value) : null;
  }

  // Our own record of the citizen's consent to remembering.
  var REMEMBER_FLAG = "dorpsplein-remember";

  // The browser's localStorage, or null when there is none or it refuses
  // (private mode, a policy, a full disk).
  function localStore() {
    var storage;
    try {
      storage = window.localStorage;
      if (!storage) { return null; }
      storage.setItem("dorpsplein-test", "1");
      storage.removeItem("dorpsplein-test");
    } catch (e) { return null; }
    return storage;
  }

  function remembering(storage) {
    try { return !!storage && storage.getItem(REMEMBER_FLAG) === "1"; } catch (e) { return false; }
  }

  // Forget what Isso remembers, and the consent.
  function forget(storage) {
    if (!storage) { return; }
    [REMEMBER_FLAG].concat(Object.keys(REMEMBERED)).forEach(function (key) {
      try { storage.removeItem(key); } catch (e) { /* nothing to forget then */ }
    });
  }

  function checkRemembered() {
    var storage = localStore();
    if (!storage) { return; }
    if (!remembering(storage)) {
      forget(storage);
      return;
    }
    Object.keys(REMEMBERED).forEach(function (key) {
      try {
        var raw = storage.getItem(key);
        if (raw === null || raw === "null") { return; }
        var kept = safeRemembered(raw, REMEMBERED[key]);
        if (kept === null) { storage.removeItem(key); }
        else if (kept !== raw) { storage.setItem(key, kept); }
      } catch (e) { /* storage switched off: Isso keeps its own in memory */ }
    });
  }

  /* ---- What is shown, and remembering (opt-in) --------------------------- */

  // Every form's checkbox says the same: the citizen's latest choice.
  function showChoice(keep) {
    thread.querySelectorAll(".comments__remember input[type=checkbox]").forEach(function (box) {
      box.checked = keep;
    });
  }

  // The citizen's choice, at a post (after Isso wrote its keys) or when the
  // box is unticked.
  function applyChoice(keep) {
    var storage = localStore();
    if (!storage) { return; }
    if (keep) {
      try { storage.setItem(REMEMBER_FLAG, "1"); } catch (e) { /* then not remembered */ }
    } else {
      forget(storage);
    }
    showChoice(keep);
  }

  // The checkbox and the line, just above the submit button; n: the form's number.
  function consent(box, n) {
    var submit = box.querySelector(".isso-post-action > input[type=submit]");
    if (!submit) { return; }
    var action = submit.parentNode;
    var storage = localStore();
    if (storage && me.getAttribute("data-label-remember")) {
      var row = document.createElement("p");
      row.className = "comments__remember";
      var choice = document.createElement("input");
      choice.type = "checkbox";
      choice.id = "reacties-onthoud-" + n;
      choice.checked = remembering(storage);
      var name = document.createElement("label");
      name.htmlFor = choice.id;
      name.textContent = me.getAttribute("data-label-remember");
      row.appendChild(choice);
      row.appendChild(name);
      action.parentNode.insertBefore(row, action);
      choice.addEventListener("change", function () {
        if (!choice.checked) { applyChoice(false); }  // forgotten at once
      });
      // Added after Isso's own listener on this button: runs after Isso
      // wrote the name, e-mail and website.
      submit.addEventListener("click", function () { applyChoice(choice.checked); });
    } else {
      // No box to tick (an older page, a template without the text): nothing
      // may stay remembered without the citizen's choice.
      submit.addEventListener("click", function () { forget(localStore()); });
    }
    var line = document.createElement("p");
    line.className = "comments__consent";
    line.id = "reacties-privacy-" + n;
    line.appendChild(document.createTextNode(me.getAttribute("data-consent-text") || ""));
    var url = me.getAttribute("data-consent-url");
    if (url) {
      line.appendChild(document.createTextNode(" " + me.getAttribute("data-consent-more") + " "));
      var link = document.createElement("a");
      link.href = url;
      link.textContent = me.getAttribute("data-consent-link");
      line.appendChild(link);
      line.appendChild(document.createTextNode("."));
    }
    if (line.textContent) {
      action.parentNode.insertBefore(line, action);
      setToken(submit, "aria-describedby", line.id, true);
    }
  }

  /* ---- Accessible names, message areas, limits --------------------------- */

  // A textarea without a visible label (the one Isso puts in a comment being
  // edited) is named by aria-label; the forms' textareas get a visible one.
  function label(root) {
    root.querySelectorAll(".isso-textarea").forEach(function (area) {
      if (!area.labels.length && !area.hasAttribute("aria-label")) {
        area.setAttribute("aria-label", me.getAttribute("data-label-text"));
      }
    });
  }

  var messageCount = 0;
  function newMessage() {
    var p = document.createElement("p");
    messageCount += 1;
    p.id = "reacties-melding-" + messageCount;
    p.className = "comments__message";
    p.setAttribute("role", "alert");
    return p;
  }

  function decorate() {
    // Each form gets its (empty) alert area below its buttons before anything
    // can go wrong, so screen readers know it when a sentence arrives.
    thread.querySelectorAll(".isso-postbox").forEach(function (box) {
      if (box.dorpspleinMessage) { return; }
      box.dorpspleinMessage = newMessage();
      box.appendChild(box.dorpspleinMessage);
      consent(box, messageCount);
      // A visible label above the comment box, like the other fields.
      var area = box.querySelector(".isso-textarea");
      if (area && !area.id) {
        area.id = "isso-postbox-text";
        var name = document.createElement("label");
        name.className = "comments__label";
        name.htmlFor = area.id;
        name.textContent = me.getAttribute("data-label-text");
        area.parentNode.insertBefore(name, area);
      }
      // Isso gives every reply form the main form's ids: its labels would
      // name the main form's fields. Each reply form gets ids of its own.
      if (box.parentNode !== thread) {
        box.querySelectorAll("[id^='isso-postbox-']").forEach(function (field) {
          var old = field.id;
          field.id = old + "-" + messageCount;
          var name = box.querySelector("label[for='" + old + "']");
          if (name) { name.htmlFor = field.id; }
        });
      }
    });
    label(thread);
    if (maxLength > 0) {
      thread.querySelectorAll(".isso-textarea").forEach(function (area) {
        if (!area.dorpspleinMaxLength) {
          area.dorpspleinMaxLength = true;
          area.setAttribute("maxlength", String(maxLength));
        }
      });
    }
    promoteHeading();
    dutchTimes();
    thread.querySelectorAll(".isso-comment-footer").forEach(actions);
  }

  /* ---- The thread's heading: h3 under our h2 ----------------------------- */

  // Isso adds an h4 ("3 reacties") under our h2 "Reacties". It is replaced by
  // an h3 with the same class and text; Isso keeps writing the count into its
  // own (now detached) h4, so that text is mirrored into the h3. A second
  // init() adds a new h4: the one h3 takes its place and follows it instead.
  var heading = null;
  var headingWatch = null;

  function promoteHeading() {
    thread.querySelectorAll("h4.isso-thread-heading").forEach(function (old) {
      if (!heading) { heading = document.createElement("h3"); }
      heading.className = old.className;
      var mirror = function () {
        if (heading.textContent !== old.textContent) { heading.textContent = old.textContent; }
      };
      mirror();
      old.parentNode.replaceChild(heading, old);
      if (headingWatch) { headingWatch.disconnect(); }
      headingWatch = new MutationObserver(mirror);
      headingWatch.observe(old, { childList: true, characterData: true, subtree: true });
    });
  }

  /* ---- Dates in the reader's language ------------------------------------ */

  // Isso's <time> carries an English tooltip ("Fri Nov 27 2026 10:15:00
  // GMT+0100"); it gets the date in the page's language instead, e.g.
  // "vrijdag 27 november 2026 om 10:15". The visible "2 uur geleden" is Isso's.
  var dateFormat = null;
  try {
    dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || lang, {
      weekday: "long", day: "numeric", month: "long", year: "numeric",
      hour: "2-digit", minute: "2-digit"
    });
  } catch (e) { dateFormat = null; }

  function dutchTimes() {
    if (!dateFormat) { return; }
    thread.querySelectorAll("time[datetime]").forEach(function (time) {
      var stamp = time.getAttribute("datetime");
      if (time.dorpspleinStamp === stamp) { return; }
      var date = new Date(stamp);
      if (isNaN(date.getTime())) { return; }
      time.dorpspleinStamp = stamp;
      time.title = dateFormat.format(date);
    });
  }

  /* ---- Votes, edit, save and cancel as real buttons ---------------------- */

  // Isso draws these actions as <a href="#"> with its click handlers on them
  // (a chevron without words for a vote, "Opslaan" as a small link). Each
  // gets a real <button> beside it that clicks it; the link itself is hidden.
  // Vote buttons say what they do and how many agreed: "Nuttig (3)", "Niet
  // nuttig (1)", from the likes and dislikes in Isso's answers (Isso itself
  // only shows their difference). While a comment is edited, its save and
  // cancel buttons stand in a row under the text box.
  var ACTIONS = [["isso-upvote", "up"], ["isso-downvote", "down"],
    ["isso-edit", "edit"], ["isso-cancel", "cancel"]];
  var counts = {};          // comment id -> {likes, dislikes}, from Isso's answers

  function remember(node) {
    if (!node || typeof node !== "object") { return; }
    if (typeof node.id === "number" && typeof node.likes === "number" &&
        typeof node.dislikes === "number") {
      counts[node.id] = { likes: node.likes, dislikes: node.dislikes };
    }
    if (Array.isArray(node.replies)) { node.replies.forEach(remember); }
  }

  function rememberVotes(xhr, info) {
    var body;
    try { body = JSON.parse(xhr.responseText); } catch (e) { return; }
    var vote = /^\/id\/(\d+)\/(like|dislike)(\/|\?|$)/.exec(info.path);
    if (vote) {
      if (body && typeof body.likes === "number" && typeof body.dislikes === "number") {
        counts[vote[1]] = { likes: body.likes, dislikes: body.dislikes };
      }
    } else {
      remember(body);
    }
    thread.querySelectorAll(".isso-comment-footer").forEach(actions);
  }

  function voteWords(button, anchor, kind, id) {
    if (!button.dorpspleinWords) {
      var chevron = anchor.querySelector("svg");
      if (chevron) {
        chevron = chevron.cloneNode(true);
        chevron.setAttribute("aria-hidden", "true");
        chevron.setAttribute("focusable", "false");
        button.appendChild(chevron);
      }
      button.dorpspleinWords = button.appendChild(document.createElement("span"));
    }
    var key = kind === "up" ? "useful" : "not-useful";
    var known = counts.hasOwnProperty(id) ? counts[id] : null;
    var words = known
      ? me.getAttribute("data-label-" + key + "-count")
        .replace("{n}", number(known[kind === "up" ? "likes" : "dislikes"]))
      : me.getAttribute("data-label-" + key);
    if (button.dorpspleinWords.textContent !== words) {
      button.dorpspleinWords.textContent = words;
    }
    return known !== null;
  }

  function place(button, parent, before) {
    if (button.parentNode !== parent || button.nextSibling !== before) {
      parent.insertBefore(button, before);
    }
  }

  function actions(footer) {
    var wrapper = footer.parentNode;
    var comment = wrapper && wrapper.parentNode;
    if (!comment || !comment.classList.contains("isso-comment")) { return; }
    var id = comment.id.replace(/^isso-/, "");
    var active = document.activeElement;
    var editing = footer.querySelector(":scope > a.isso-cancel") !== null;
    var row = wrapper.dorpspleinEditRow;
    if (editing) {
      if (!row) {
        row = wrapper.dorpspleinEditRow = document.createElement("p");
        row.className = "comments__edit-actions";
      }
      place(row, wrapper, footer);
    }
    var lost = null;
    wrapper.querySelectorAll(":scope > .isso-comment-footer > .comments__action," +
      " :scope > .comments__edit-actions > .comments__action").forEach(function (button) {
      if (button.dorpspleinAnchor.parentNode !== footer) {
        if (button === active) { lost = button; }
        button.remove();
      }
    });
    var counted = false;
    ACTIONS.forEach(function (pair) {
      var anchor = footer.querySelector(":scope > a." + pair[0]);
      if (!anchor) { return; }
      var kind = pair[1];
      var button = anchor.dorpspleinButton;
      if (!button) {
        button = anchor.dorpspleinButton = document.createElement("button");
        button.type = "button";
        button.className = "comments__action comments__" + (kind === "up" || kind === "down"
          ? "vote comments__vote--" + kind : kind);
        button.dorpspleinAnchor = anchor;
        button.addEventListener("click", function () { anchor.click(); });
        anchor.hidden = true;
      }
      if (kind === "up" || kind === "down") {
        counted = voteWords(button, anchor, kind, id) || counted;
        place(button, footer, anchor);
        return;
      }
      if (button.textContent !== anchor.textContent) { button.textContent = anchor.textContent; }
      if (kind === "cancel") {
        place(button, row, null);
      } else if (editing) {
        place(button, row, row.firstChild === button ? button.nextSibling : row.firstChild);
      } else {
        place(button, footer, anchor);
      }
    });
    footer.classList.toggle("comments__footer--counted", counted);
    if (!editing && row && row.parentNode) { row.remove(); }
    // Moving or removing a focused button drops focus: keep it in place.
    var edit = footer.querySelector(":scope > a.isso-edit");
    edit = edit && edit.dorpspleinButton;
    if (lost && edit) {
      edit.focus();
    } else if (active && active.dorpspleinAnchor && active.isConnected &&
               document.activeElement !== active) {
      active.focus();
    }
    // Isso means to focus the text box it opens for an edit, but does so
    // before the box is in the page: focus it once it is.
    var area = editing && wrapper.querySelector(":scope > .isso-textarea-wrapper > .isso-textarea");
    if (area && !area.dorpspleinOpened) {
      area.dorpspleinOpened = true;
      if (document.activeElement === edit || document.activeElement === document.body) {
        area.focus();
      }
    }
  }

  /* ---- Sentences for refusals ------------------------------------------- */

  var FIELDS = {
    text: ".isso-textarea", author: "[name=author]", email: "[name=email]",
    website: "[name=website]"
  };
  var CODES = {
    "invalid-request": ["invalid-request"],
    "not-json": ["invalid-request"],
    "text-too-short": ["text-too-short", "text"],
    "too-large": ["too-large", "text"],
    "author-required": ["author-required", "author"],
    "email-required": ["email-required", "email"],
    "invalid-email": ["invalid-email", "email"],
    "invalid-website": ["invalid-website", "website"],
    "origin-not-allowed": ["origin-not-allowed"],
    "unknown-thread": ["unknown-thread"],
    "thread-closed": ["thread-closed"],
    "not-allowed": ["not-allowed"],
    "not-found": ["not-found"],
    "too-many-comments": ["too-many-comments"]
  };

  function number(n) {
    try { return Number(n).toLocaleString(lang); } catch (e) { return String(n); }
  }

  function tooSoon(seconds) {
    var s = Math.ceil(Number(seconds));
    if (!isFinite(s) || s <= 0) { return text("too-soon-later"); }
    if (s >= 90) { return text("too-soon-minutes").replace("{n}", number(Math.ceil(s / 60))); }
    return text(s === 1 ? "too-soon-one" : "too-soon").replace("{n}", number(s));
  }

  function tooLong(field, limit) {
    var known = typeof field === "string" && FIELDS.hasOwnProperty(field);
    var n = Math.floor(Number(limit));
    if (!known || !(n > 0) || !text("too-long-" + field)) {
      return { text: text("too-long"), field: known ? field : null };
    }
    return { text: text("too-long-" + field).replace("{limit}", number(n)), field: field };
  }

  function retryAfter(xhr, body) {
    if (typeof body.retry_after === "number" || /^\d+$/.test(body.retry_after)) {
      return Number(body.retry_after);
    }
    var header = null;
    try { header = xhr.getResponseHeader("Retry-After"); } catch (e) { /* not exposed */ }
    return header && /^\s*\d+\s*$/.test(header) ? parseInt(header, 10) : null;
  }

  // {text, field} for a finished request that went wrong.
  function describe(xhr, inForm) {
    var code = xhr.status;
    if (code === 0 || code >= 500) {
      return { text: text(inForm ? "unreachable" : "unreachable-action") };
    }
    var body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    if (!body || typeof body !== "object") { body = {}; }
    var reason = typeof body.reason === "string" ? body.reason : "";
    if (reason === "too-soon") { return { text: tooSoon(retryAfter(xhr, body)) }; }
    if (reason === "too-long") { return tooLong(body.field, body.limit); }
    if (CODES.hasOwnProperty(reason) && text(CODES[reason][0])) {
      return { text: text(CODES[reason][0]), field: CODES[reason][1] || null };
    }
    if (typeof body.message === "string" && body.message.trim()) {
      return { text: body.message.trim().slice(0, 500) };
    }
    if (code === 429) { return { text: tooSoon(retryAfter(xhr, body)) }; }
    if (code === 413) { return { text: text("too-large"), field: "text" }; }
    if (code === 400) { return { text: text("invalid-request") }; }
    return { text: text("refused") };
  }

  function setToken(el, attribute, token, on) {
    var tokens = (el.getAttribute(attribute) || "").split(/\s+/).filter(function (t) {
      return t && t !== token;
    });
    if (on) { tokens.push(token); }
    if (tokens.length) { el.setAttribute(attribute, tokens.join(" ")); } else { el.removeAttribute(attribute); }
  }

  function clearMessage(holder) {
    var message = holder.dorpspleinMessage;
    if (!message) { return; }
    message.dorpspleinPending = null;
    message.textContent = "";
    holder.querySelectorAll("[aria-describedby~='" + message.id + "']").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      setToken(field, "aria-describedby", message.id, false);
    });
  }

  // Put the sentence in the holder's alert area. It is emptied first and filled
  // a moment later, so the same sentence twice is announced twice.
  function showMessage(holder, found, source) {
    clearMessage(holder);
    var message = holder.dorpspleinMessage;
    if (!message) {
      message = holder.dorpspleinMessage = newMessage();
      var footer = holder.querySelector(".isso-comment-footer");
      (footer ? footer.parentNode : holder).insertBefore(message, footer ? footer.nextSibling : null);
    }
    message.dorpspleinSource = source;
    var inForm = holder.classList.contains("isso-postbox");
    var field = found.field ? holder.querySelector(FIELDS[found.field]) : null;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      setToken(field, "aria-describedby", message.id, true);
    }
    var pending = message.dorpspleinPending = {};
    setTimeout(function () {
      if (message.dorpspleinPending === pending) { message.textContent = found.text; }
    }, 50);
    if (!inForm) { return; }
    // Isso leaves its submit button disabled when the server fails (5xx).
    var submit = holder.querySelector(".isso-post-action > input[type=submit]");
    if (submit) { submit.disabled = false; }
    // A disabled button loses focus; give it back to the form, not the page.
    var active = document.activeElement;
    if (!active || active === document.body) {
      (field || holder.querySelector(".isso-textarea")).focus();
    }
  }

  /* ---- Loading the thread, with a retry --------------------------------- */

  var state = "idle";       // idle, loading, ready, failed
  var attempt = 0;
  var timer = null;
  var current = null;       // the embed script of the latest attempt
  var owner = null;         // the one embed script that may run Isso
  var isso = null;          // that script's window.Isso {init, fetchComments}
  var reading = [];         // GET requests of the thread in flight

  function timeout() {
    var ms = parseInt(me.getAttribute("data-load-timeout"), 10);
    return ms > 0 ? ms : 10000;
  }

  function start() {
    state = "loading";
    attempt += 1;
    retryBox.hidden = true;
    status.classList.remove("comments__status--failed");
    status.textContent = me.getAttribute("data-label-loading");
    checkRemembered();
    clearTimeout(timer);
    timer = setTimeout(fail, timeout());
    if (isso) {
      // Isso runs already; only its requests failed. Ask again, in the same
      // copy, so nothing is drawn twice.
      if (!thread.querySelector("#isso-root")) { isso.init(); }
      isso.fetchComments();
      return;
    }
    var embed = document.createElement("script");
    embed.src = endpoint + "/js/embed.min.js" + (attempt > 1 ? "?poging=" + attempt : "");
    embed.async = true;
    embed.setAttribute("data-comments-embed", "");
    embed.onload = function () {
      if (!owner) { owner = embed; }
      if (owner === embed) { isso = window.Isso || null; }
    };
    embed.onerror = function () {
      if (embed === current && state === "loading") { fail(); }
    };
    current = embed;
    document.body.appendChild(embed);
  }

  function fail() {
    if (state !== "loading") { return; }
    state = "failed";
    clearTimeout(timer);
    // A late answer must not draw the thread after we said it failed.
    reading.slice().forEach(function (xhr) {
      xhr.dorpsplein.aborted = true;
      xhr.abort();
    });
    reading = [];
    var hadFocus = section.contains(document.activeElement);
    status.classList.add("comments__status--failed");
    status.textContent = me.getAttribute("data-label-failed");
    retryBox.hidden = false;
    if (hadFocus) { retryButton.focus(); }
  }

  function loaded() {
    if (state === "ready") { return; }
    var hadFocus = document.activeElement === retryButton;
    state = "ready";
    clearTimeout(timer);
    status.classList.remove("comments__status--failed");
    status.textContent = "";
    retryBox.hidden = true;
    if (hadFocus) { focusThread(); }
  }

  function focusThread() {
    thread.setAttribute("tabindex", "-1");
    thread.focus();
  }

  /* ---- Watching Isso's requests ----------------------------------------- */

  var clicked = null;       // the form or comment whose control is being clicked

  function whereClicked(event) {
    var target = event.target;
    if (!target || !target.closest || !thread.contains(target)) { return; }
    if (target.closest("a.isso-reply")) { checkRemembered(); }  // Isso builds a form now
    clicked = target.closest(".isso-postbox") || target.closest(".isso-comment");
    setTimeout(function () { clicked = null; }, 0);
  }

  function holderOf(info) {
    var id = /^\/id\/(\d+)/.exec(info.path);
    if (id) { return { el: document.getElementById("isso-" + id[1]), kind: "comment" }; }
    if (info.method === "POST" && /^\/(new|preview)([?\/]|$)/.test(info.path)) {
      var box = info.clicked && info.clicked.classList.contains("isso-postbox") ? info.clicked
        : thread.querySelector("#isso-thread > .isso-postbox");
      return { el: box, kind: /^\/new/.test(info.path) ? "new" : "preview" };
    }
    return null;
  }

  function settle(xhr, info) {
    reading = reading.filter(function (other) { return other !== xhr; });
    if (info.aborted) { return; }
    var ok = xhr.status >= 200 && xhr.status < 300;
    if (ok) { rememberVotes(xhr, info); }
    if (info.method === "GET" && /^\/(config|\?)/.test(info.path)) {
      var list = info.path.charAt(1) === "?";
      var first = list && !/[?&]parent=/.test(info.path) && /[?&]offset=0(&|$)/.test(info.path);
      if (!ok && (!list || first)) { fail(); } else if (ok && first) { loaded(); }
      return;
    }
    var holder = holderOf(info);
    if (!holder || !holder.el) { return; }
    if (ok) {
      var message = holder.el.dorpspleinMessage;
      if (message && (holder.kind !== "preview" || message.dorpspleinSource === "preview")) {
        clearMessage(holder.el);
      }
      return;
    }
    showMessage(holder.el, describe(xhr, holder.kind !== "comment"), holder.kind);
    if (info.votes) {
      // Isso shows "NaN" votes for a refused vote; put the count back after it.
      setTimeout(function () {
        info.votes.span.textContent = info.votes.text;
        holder.el.classList.toggle("isso-no-votes", info.votes.none);
      }, 0);
    }
  }

  function votesOf(info) {
    var id = /^\/id\/(\d+)\/(like|dislike)/.exec(info.path);
    var span = id && document.querySelector("#isso-" + id[1] +
      " > .isso-text-wrapper > .isso-comment-footer > .isso-votes");
    return span ? {
      span: span, text: span.textContent,
      none: span.closest(".isso-comment").classList.contains("isso-no-votes")
    } : null;
  }

  function watchRequests() {
    var prototype = window.XMLHttpRequest && window.XMLHttpRequest.prototype;
    if (!prototype || prototype.dorpspleinWatched) { return; }
    prototype.dorpspleinWatched = true;
    var open = prototype.open;
    var send = prototype.send;
    prototype.open = function (method, url) {
      var address = String(url);
      this.dorpsplein = address.indexOf(endpoint + "/") === 0
        ? { method: String(method).toUpperCase(), path: address.slice(endpoint.length) }
        : null;
      return open.apply(this, arguments);
    };
    prototype.send = function () {
      var info = this.dorpsplein;
      if (!info) { return send.apply(this, arguments); }
      var script = document.currentScript;
      if (script && script.hasAttribute("data-comments-embed")) {
        if (!owner) { owner = script; }
        // A second copy of Isso (an earlier try that arrived late) stays
        // silent, so the thread is never drawn twice.
        if (script !== owner) { return undefined; }
      }
      var xhr = this;
      info.clicked = clicked;
      info.votes = votesOf(info);
      if (info.method === "GET") { reading.push(xhr); }
      xhr.addEventListener("loadend", function () { settle(xhr, info); });
      return send.apply(this, arguments);
    };
  }

  /* ---- Start --------------------------------------------------------------- */

  retryButton.addEventListener("click", function () {
    focusThread();
    start();
  });
  new MutationObserver(decorate).observe(thread, { childList: true, subtree: true });
  document.addEventListener("click", whereClicked, true);
  watchRequests();
  start();
})();
