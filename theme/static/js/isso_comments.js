/* Dorpsplein: load the Isso comment thread only when the reader gets there.
 *
 * The page carries this small script (deferred) and the thread's markup.
 * When the comments section comes near the viewport, or the reader presses
 * "Toon reacties" (or arrives at #reacties), it adds the thread's stylesheet
 * and js/isso_comments_thread.js, which loads Isso's embed script and tells
 * the citizen what happened to every request (see that file). Before that,
 * nothing contacts the comment server. Isso reads its options from this
 * script element's data-isso-* attributes. No cookies, no third parties.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var section = document.getElementById("reacties");
  var thread = document.getElementById("isso-thread");
  if (!me || !section || !thread) { return; }
  var button = section.querySelector("[data-comments-load]");
  var loading = false;

  var status = document.createElement("p");
  status.className = "comments__status";
  status.id = "reacties-status";
  status.setAttribute("role", "status");
  thread.parentNode.insertBefore(status, thread);

  function focusThread() {
    thread.setAttribute("tabindex", "-1");
    thread.focus();
  }

  function load() {
    if (loading) { return; }
    loading = true;
    if (button) {
      // Tabbing to the button scrolls the thread near: it may load on its
      // own just before Enter. Focus must not vanish with the button.
      var hadFocus = document.activeElement === button;
      button.parentNode.hidden = true;
      if (hadFocus) { focusThread(); }
    }
    status.textContent = me.getAttribute("data-label-loading");

    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = me.getAttribute("data-comments-style");
    document.head.appendChild(style);

    var script = document.createElement("script");
    script.src = me.getAttribute("data-comments-thread");
    script.onerror = function () {
      // Our own file did not arrive (a flaky connection): say so, offer the
      // button again.
      status.textContent = me.getAttribute("data-label-failed");
      script.remove();
      loading = false;
      if (button) { button.parentNode.hidden = false; }
    };
    document.body.appendChild(script);
  }

  if (button) {
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      load();
      focusThread();
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
