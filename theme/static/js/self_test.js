/* A self-test in place (the participation plugin's start page,
 * templates/self_test.html; docs/participation.md, "Self-tests").
 *
 * Without this script the page's "Begin de test" link leads to the
 * participation service, which asks the questions one page at a time and
 * sends the reader to the result's page. With it:
 *
 * - the questions already in the page are shown one at a time, in place; each
 *   step is a history entry (#vraag-3), so the browser's back button and
 *   "Vorige" go back a question, and forward comes again;
 * - "Volgende" without an answer shows the error summary (role=alert, it
 *   takes the focus) and the message at the radios, and "Fout:" in the title;
 * - the result is computed here, from the points or right answers in
 *   #self-test-data (the answers never leave the page, unless the test counts
 *   results: then the answers go to the service, which counts the result it
 *   computes itself, and nothing else);
 * - the result's own page is fetched and shown in place at its own address,
 *   with what only this page knows: the exact score and the reader's answers.
 *
 * Every wait and every failure is said in the status region (role=status).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var form = document.querySelector("[data-self-test-form]");
  var dataNode = document.getElementById("self-test-data");
  if (!script || !form || !dataNode || !window.fetch || !window.history ||
      !window.history.pushState || !window.DOMParser) {
    return;  // the link to the service still works
  }
  var data;
  try { data = JSON.parse(dataNode.textContent); } catch (e) { return; }

  var text = script.dataset;
  var siteurl = text.siteurl || "";
  var article = form.closest("article");
  var starts = document.querySelectorAll("[data-self-test-start]");
  var questions = form.querySelectorAll("[data-question]");
  var total = questions.length;
  var errors = form.querySelector("[data-self-test-errors]");
  var errorLink = form.querySelector("[data-self-test-error-link]");
  var next = form.querySelector("[data-self-test-next]");
  var status = document.querySelector("[data-self-test-status]");
  var begin = document.querySelector("[data-self-test-begin]");
  var startTitle = document.title;
  var current = 0;
  var resultNode = null;
  var resultTitle = "";
  var token = null;
  var counted = false;

  var saying = 0;

  function say(message) {
    window.clearTimeout(saying);
    status.textContent = "";
    // A new text in a live region is read out; the same text twice is not,
    // hence the empty moment.
    saying = window.setTimeout(function () { status.textContent = message; }, 50);
  }

  /* "{name}" in a sentence of the catalogue, each given its value as it is
     (a function, so "$&" in an editor's text stays "$&"). */
  function fill(sentence, values) {
    return sentence.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function heading(n) {
    return questions[n - 1].querySelector("[data-self-test-heading]");
  }

  /* The shown question's text is the page's one h1 (the start page's title
     is hidden then); the others are spans, as the page was built. */
  function promote(n) {
    Array.prototype.forEach.call(questions, function (question, index) {
      var node = question.querySelector("[data-self-test-heading]");
      var wanted = index + 1 === n ? "H1" : "SPAN";
      if (node.tagName === wanted) { return; }
      var other = document.createElement(wanted);
      other.className = node.className;
      other.setAttribute("data-self-test-heading", "");
      other.textContent = node.textContent;
      node.parentNode.replaceChild(other, node);
    });
  }

  function titleOf(n) {
    return fill(text.title, { n: String(n), question: heading(n).textContent.trim() });
  }

  function focusOn(element) {
    if (!element) { return; }
    if (!element.hasAttribute("tabindex")) { element.setAttribute("tabindex", "-1"); }
    element.focus();
  }

  function answer(n) {
    var chosen = form.querySelector('input[name="v' + n + '"]:checked');
    return chosen ? Number(chosen.value) : 0;
  }

  function clearError() {
    errors.hidden = true;
    Array.prototype.forEach.call(questions, function (question) {
      var message = question.querySelector(".form-field__error");
      message.hidden = true;
      question.classList.remove("self-test__question--error");
      var hint = question.querySelector(".self-test__hint");
      if (hint) { question.setAttribute("aria-describedby", hint.id); }
      else { question.removeAttribute("aria-describedby"); }
    });
  }

  function showError(n) {
    var question = questions[n - 1];
    var message = question.querySelector(".form-field__error");
    var hint = question.querySelector(".self-test__hint");
    message.hidden = false;
    question.classList.add("self-test__question--error");
    question.setAttribute("aria-describedby", (hint ? hint.id + " " : "") + message.id);
    errorLink.setAttribute("href", "#v" + n + "-1");
    errors.hidden = false;
    document.title = text.errorPrefix + " " + titleOf(n);
    errors.focus();
  }

  function hideResult() {
    if (resultNode) { resultNode.hidden = true; }
    article.hidden = false;
  }

  /* Step n (0: the start page), as the history says. */
  function show(n, focus) {
    current = n;
    hideResult();
    clearError();
    Array.prototype.forEach.call(starts, function (element) { element.hidden = n > 0; });
    form.hidden = n === 0;
    Array.prototype.forEach.call(questions, function (question, index) {
      question.hidden = index + 1 !== n;
    });
    next.disabled = false;
    promote(n);
    if (n === 0) {
      document.title = startTitle;
      if (focus) { focusOn(article.querySelector("h1")); }
      return;
    }
    document.title = titleOf(n);
    if (focus) { focusOn(heading(n)); }
  }

  function go(n) {
    window.history.pushState({ selfTest: n }, "", "#vraag-" + n);
    show(n, true);
  }

  /* -- the result -------------------------------------------------------- */

  function outcome() {
    if (data.kind === "profile") {
      var sums = {};
      data.results.forEach(function (result) { sums[result.id] = 0; });
      data.questions.forEach(function (question, index) {
        var points = question.points[answer(index + 1) - 1] || {};
        Object.keys(points).forEach(function (id) { sums[id] += points[id]; });
      });
      // The most points; a tie goes to the result written first.
      var best = data.results[0];
      data.results.forEach(function (result) {
        if (sums[result.id] > sums[best.id]) { best = result; }
      });
      return { result: best };
    }
    var score = 0;
    data.questions.forEach(function (question, index) {
      if (answer(index + 1) === question.correct) { score += 1; }
    });
    var band = data.results.filter(function (result) {
      return result.min <= score && score <= result.max;
    })[0];
    return { result: band, score: score };
  }

  /* fetch, given up after WAIT ms (a hung service would leave the reader
     waiting for the web server's own timeout). */
  var WAIT = 10000;

  function fetchWithin(url, options) {
    if (!window.AbortController) { return window.fetch(url, options); }
    var controller = new AbortController();
    var timer = window.setTimeout(function () { controller.abort(); }, WAIT);
    options.signal = controller.signal;
    return window.fetch(url, options).then(function (response) {
      window.clearTimeout(timer);
      return response;
    }, function (problem) {
      window.clearTimeout(timer);
      throw problem;
    });
  }

  function json(response) {
    return response.json().catch(function () { return null; }).then(function (body) {
      return { ok: response.ok, body: body };
    });
  }

  function wait(seconds) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, Math.max(0, Math.min(seconds, 30)) * 1000);
    });
  }

  /* A form token for the count, asked when the test begins (the service's
     time trap has long passed by the last question). */
  function askToken() {
    if (!data.form_api) { return; }
    token = fetchWithin(data.form_api, {
      credentials: "omit", headers: { "Accept": "application/json" }, cache: "no-store"
    }).then(json).then(function (answer) {
      if (!answer.ok || !answer.body || typeof answer.body.token !== "string") { return null; }
      // Counted from the answer's arrival: the service issued the token
      // before that, so its time trap has passed by "ready".
      var wait = 1000 * (Number(answer.body.not_before) || 0);
      return { token: answer.body.token, ready: Date.now() + wait };
    }).catch(function () { return null; });
  }

  /* Counts the result (only tests with counts). Says how it went: "" (counted,
     or nothing to count), or the sentence for the status region. A token
     serves once: the next result (back, other answers) asks a new one. */
  function count() {
    // One reader, one count: back from the result and on to it again (with
    // other answers, perhaps) is not a second participant.
    if (!data.result_api || counted) { return Promise.resolve(""); }
    if (!token) { askToken(); }
    var asked = token;
    token = null;
    return asked.then(function (form) {
      if (!form) { return text.notCounted; }
      return wait((form.ready - Date.now()) / 1000).then(function () {
        var body = new URLSearchParams();
        for (var n = 1; n <= total; n += 1) { body.append("v" + n, String(answer(n))); }
        body.append("token", form.token);
        body.append("website", "");
        return fetchWithin(data.result_api, {
          method: "POST", credentials: "omit", body: body,
          headers: { "Accept": "application/json" }
        }).then(json).then(function (answer) {
          if (answer.ok && answer.body && answer.body.ok === true) {
            counted = true;
            return "";
          }
          // Refused: the service says why, in the reader's language.
          var said = answer.body && typeof answer.body.message === "string" &&
            answer.body.message;
          return said ? fill(text.refused, { reason: said }) : text.notCounted;
        });
      });
    }).catch(function () { return text.notCounted; });
  }

  function annotate(node, found) {
    var score = node.querySelector("[data-self-test-score]");
    if (score && typeof found.score === "number") {
      score.textContent = fill(text.score, { score: String(found.score) });
    }
    Array.prototype.forEach.call(node.querySelectorAll("[data-question]"), function (item) {
      var n = Number(item.getAttribute("data-question"));
      var yours = item.querySelector("[data-self-test-yours]");
      var chosen = form.querySelector('input[name="v' + n + '"]:checked');
      if (!yours || !chosen) { return; }
      var label = form.querySelector('label[for="' + chosen.id + '"]').textContent.trim();
      var right = Number(chosen.value) === data.questions[n - 1].correct;
      yours.textContent = fill(right ? text.yoursRight : text.yoursWrong, { answer: label });
      yours.classList.add(right ? "self-test__yours--right" : "self-test__yours--wrong");
      yours.hidden = false;
    });
  }

  function retry(found, notice) {
    window.clearTimeout(saying);
    status.textContent = "";
    var message = document.createElement("span");
    message.textContent = text.loadFailed + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = text.retry;
    button.addEventListener("click", function () { load(found, notice); });
    status.appendChild(message);
    status.appendChild(button);
    next.disabled = false;
  }

  function load(found, notice) {
    var url = siteurl + "/" + found.result.url;
    say(text.loading);
    fetchWithin(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var shown = page.querySelector("[data-self-test-result]");
      if (!shown) { throw new Error("no result"); }
      if (resultNode) { resultNode.remove(); }
      resultNode = document.importNode(shown, true);
      resultTitle = page.title;
      annotate(resultNode, found);
      article.hidden = true;
      article.parentNode.insertBefore(resultNode, article.nextSibling);
      document.title = resultTitle;
      window.history.pushState({ selfTest: "result" }, "", url);
      say(notice);
      focusOn(resultNode.querySelector("h1"));
    }).catch(function () { retry(found, notice); });
  }

  function finish() {
    // After a reload the page's history may lead here with answers missing:
    // the first unanswered question, with the error, as the service does.
    for (var n = 1; n <= total; n += 1) {
      if (!answer(n)) {
        go(n);
        showError(n);
        return;
      }
    }
    next.disabled = true;
    say(text.loading);
    var found = outcome();
    count().then(function (notice) { load(found, notice); });
  }

  /* -- wiring -------------------------------------------------------------- */

  begin.addEventListener("click", function (event) {
    event.preventDefault();
    askToken();
    go(1);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var submitter = event.submitter;
    if (submitter && submitter.value === "vorige") {
      window.history.back();
      return;
    }
    if (!answer(current)) {
      showError(current);
      return;
    }
    if (current < total) { go(current + 1); } else { finish(); }
  });

  form.addEventListener("change", function () {
    if (!errors.hidden && answer(current)) { clearError(); document.title = titleOf(current); }
  });

  errorLink.addEventListener("click", function (event) {
    event.preventDefault();
    focusOn(document.getElementById(errorLink.getAttribute("href").slice(1)));
  });

  window.addEventListener("popstate", function (event) {
    var step = event.state && event.state.selfTest;
    if (typeof step === "number") {
      show(step, true);
    } else if (step === "result" && resultNode) {
      article.hidden = true;
      resultNode.hidden = false;
      document.title = resultTitle;
      focusOn(resultNode.querySelector("h1"));
    }
  });

  // A reload (or a link) on #vraag-3 has no answers: begin at the start.
  window.history.replaceState({ selfTest: 0 }, "", window.location.pathname +
                              window.location.search);
  show(0, false);
}());
