/* Dorpsplein: load the Isso comment thread only when the reader gets there.
 *
 * The page carries this small script (deferred) and the thread's markup.
 * Isso's own embed script (and so any request to the comment server) is
 * loaded when the comments section comes near the viewport, or when the
 * reader presses "Toon reacties". Isso reads its options from this script
 * element's data-isso-* attributes. Afterwards we give Isso's controls the
 * accessible names they lack. No cookies, no third parties.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var section = document.getElementById("reacties");
  var thread = document.getElementById("isso-thread");
  if (!me || !section || !thread) { return; }

  var endpoint = me.getAttribute("data-isso");
  var loaded = false;
  var button = section.querySelector("[data-comments-load]");
  var status = document.createElement("p");
  status.className = "comments__status";
  status.setAttribute("role", "status");
  thread.parentNode.insertBefore(status, thread);

  function label(root) {
    var pairs = [
      [".isso-textarea", "data-label-text"],
      [".isso-upvote", "data-label-upvote"],
      [".isso-downvote", "data-label-downvote"]
    ];
    pairs.forEach(function (pair) {
      root.querySelectorAll(pair[0]).forEach(function (el) {
        if (!el.hasAttribute("aria-label")) {
          el.setAttribute("aria-label", me.getAttribute(pair[1]));
        }
      });
    });
    root.querySelectorAll(".isso-upvote svg, .isso-downvote svg").forEach(function (svg) {
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
    });
  }

  function load() {
    if (loaded) { return; }
    loaded = true;
    if (button) { button.parentNode.hidden = true; }
    status.textContent = me.getAttribute("data-label-loading");

    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = me.getAttribute("data-comments-style");
    document.head.appendChild(style);

    new MutationObserver(function () {
      label(thread);
      if (thread.querySelector(".isso-postbox, #isso-root")) { status.textContent = ""; }
    }).observe(thread, { childList: true, subtree: true });

    var embed = document.createElement("script");
    embed.src = endpoint + "/js/embed.min.js";
    embed.async = true;
    embed.onerror = function () { status.textContent = me.getAttribute("data-label-failed"); };
    document.body.appendChild(embed);
  }

  if (button) {
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      load();
      thread.setAttribute("tabindex", "-1");
      thread.focus();
    });
  }
  if (location.hash && /^#(reacties|isso-\d+)$/.test(location.hash)) {
    load();
  } else if ("IntersectionObserver" in window) {
    var watcher = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        watcher.disconnect();
        load();
      }
    }, { rootMargin: "200px 0px" });
    watcher.observe(section);
  }
})();
