/* Dorpsplein share bar: only enhances plain links that work without it.
 * - "Kopieer link": Clipboard API, with a fallback, and a visible confirmation.
 * - "Delen…": the browser's own share sheet, where it has one.
 * - Mastodon: shares on the reader's own server, remembered in localStorage
 *   of this browser only; the plain link (a server chooser) stays the fallback.
 * Sends nothing anywhere by itself.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var bar = me && me.closest(".share");
  if (!bar) { return; }
  var status = bar.querySelector(".share__status");
  var KEY = "dorpsplein.mastodon-server";

  function say(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  bar.querySelectorAll(".share__extra").forEach(function (item) {
    if (item.hasAttribute("data-share-native-item") && !navigator.share) { return; }
    item.hidden = false;
  });

  // Copy link
  var copy = bar.querySelector("[data-share-copy]");
  function copied() {
    var label = copy.querySelector("[data-share-copy-label]");
    label.textContent = me.getAttribute("data-copied");
    say(me.getAttribute("data-copied-status"));
  }
  function fallbackCopy(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.appendChild(field);
    field.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(field);
    copy.focus();
    return ok;
  }
  copy.addEventListener("click", function () {
    var url = copy.getAttribute("data-share-copy");
    var failed = function () {
      if (fallbackCopy(url)) { copied(); } else { say(me.getAttribute("data-copy-failed")); }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(copied, failed);
    } else {
      failed();
    }
  });

  // Native share sheet
  var native = bar.querySelector("[data-share-native]");
  if (native && navigator.share) {
    native.addEventListener("click", function () {
      navigator.share({ title: document.title, url: copy.getAttribute("data-share-copy") })
        .catch(function () { /* the reader closed the sheet */ });
    });
  }

  // Mastodon: the reader's own server
  var mastodon = bar.querySelector("[data-share-mastodon]");
  var dialog = bar.querySelector(".share__dialog");
  if (!mastodon || !dialog || typeof dialog.showModal !== "function") { return; }
  var text = mastodon.getAttribute("data-share-mastodon");
  var input = dialog.querySelector("input[name=server]");

  function host(value) {
    var clean = String(value || "").trim().replace(/^https?:\/\//i, "").replace(/^@?[^@\s]*@/, "").replace(/\/.*$/, "").toLowerCase();
    return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(clean) ? clean : null;
  }
  function shareOn(server) {
    return "https://" + server + "/share?text=" + encodeURIComponent(text);
  }
  var remembered = null;
  try { remembered = host(window.localStorage.getItem(KEY)); } catch (e) { remembered = null; }
  if (remembered) { mastodon.href = shareOn(remembered); }

  mastodon.addEventListener("click", function (event) {
    event.preventDefault();
    input.value = remembered || "";
    input.setCustomValidity("");
    dialog.showModal();
  });
  input.addEventListener("input", function () { input.setCustomValidity(""); });
  dialog.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value === "cancel") { return; }
    var server = host(input.value);
    if (!server) {
      event.preventDefault();
      input.setCustomValidity(me.getAttribute("data-bad-server"));
      input.reportValidity();
      return;
    }
    try { window.localStorage.setItem(KEY, server); } catch (e) { /* private mode */ }
    remembered = server;
    mastodon.href = shareOn(server);
    window.location.href = shareOn(server);
  });
})();
