// Staff pages: a form that came back with errors says so at the top, and the summary takes
// the focus so that nobody thinks the click did nothing (screen readers announce it too).
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
