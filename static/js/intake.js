/* Optional enhancements only: every page works the same with JavaScript off. */
(function () {
  "use strict";

  // Move focus to the error summary so screen readers and keyboards start where the problems are.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // One click sends the intake; the server is idempotent anyway, this only calms double taps.
  document.querySelectorAll("form").forEach(function (form) {
    var button = form.querySelector("[data-submit-once]");
    if (!button) {
      return;
    }
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      }, 0);
    });
  });

  // "Copy link" on the finish-later page, shown only where copying works.
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input || !navigator.clipboard) {
      return;
    }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = button.getAttribute("data-copied-text");
      });
    });
  });
})();
