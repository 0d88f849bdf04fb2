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

  // The language switch on a step page: send what was typed along (unsaved and unchecked), so
  // that the same step comes back in the other language with the answers still in place.
  // Without JavaScript the switch keeps the saved answers and the step, not the typed ones.
  var switcher = document.querySelector("[data-language-switch]");
  var stepForm = document.querySelector("[data-step-form]");
  if (switcher && stepForm) {
    switcher.addEventListener("submit", function (event) {
      var choice = event.submitter;
      if (!choice || !choice.value) {
        return;
      }
      event.preventDefault();
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "language";
      field.value = choice.value;
      stepForm.appendChild(field);
      stepForm.submit();
    });
  }

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
