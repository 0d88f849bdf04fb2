/* The open queue refreshes its counts and rows in place (an enhancement: without JavaScript
   the page is the same, minus the refresh). Same filters and page, scroll and focus kept;
   polling stops while the tab is hidden and resumes, with an immediate refresh, when shown. */
(function () {
  "use strict";

  var box = document.getElementById("queue-results");
  if (!box || !window.fetch || !window.URL) {
    return;
  }
  var seconds = Math.max(1, parseInt(box.getAttribute("data-poll-seconds"), 10) || 25);
  var notice = document.getElementById("queue-new");
  var announce = document.getElementById("queue-announce");
  var timer = null;
  var busy = false;
  var last = box.innerHTML;
  var emergenciesSeen = 0;

  function liveUrl() {
    var url = new URL(box.getAttribute("data-live-url"), window.location.href);
    url.searchParams.set("since", box.getAttribute("data-since"));
    return url.toString();
  }

  // The page's own (translated) wording, from data-one / data-many ("{n}" is the number).
  function say(element, n) {
    var text = element.getAttribute(n === 1 ? "data-one" : "data-many") || "";
    return text.replace("{n}", String(n));
  }

  function showCounts() {
    var info = box.querySelector(".queue-live");
    if (!info) {
      return;
    }
    var count = parseInt(info.getAttribute("data-new-count"), 10) || 0;
    var emergencies = parseInt(info.getAttribute("data-new-emergencies"), 10) || 0;
    if (count > 0 && notice) {
      notice.textContent = say(notice, count);
      notice.classList.remove("d-none");
    }
    if (emergencies > emergenciesSeen && announce) {
      announce.textContent = say(announce, emergencies - emergenciesSeen);
    }
    emergenciesSeen = emergencies;
  }

  function swap(html) {
    if (html === last) {
      return;
    }
    // Keep the focused link (by its address) and the page's scroll position.
    var focused = document.activeElement;
    var focusHref = focused && box.contains(focused) ? focused.getAttribute("href") : null;
    var x = window.scrollX;
    var y = window.scrollY;
    box.innerHTML = html;
    last = html;
    if (focusHref) {
      var again = box.querySelector('a[href="' + CSS.escape(focusHref) + '"]');
      if (again) {
        again.focus({ preventScroll: true });
      }
    }
    window.scrollTo(x, y);
  }

  function refresh() {
    if (busy || document.hidden) {
      return;
    }
    busy = true;
    fetch(liveUrl(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        // Signed out (a redirect to the login page) or refused: stop, the page says the rest.
        if (!response.ok || response.redirected || !response.headers.get("X-Queue-Live")) {
          stop();
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html !== null) {
          swap(html);
          showCounts();
        }
      })
      .catch(function () { /* offline for a moment: try again next time */ })
      .then(function () { busy = false; });
  }

  function start() {
    stop();
    timer = window.setInterval(refresh, seconds * 1000);
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
    } else {
      refresh();
      start();
    }
  });
  start();
})();
