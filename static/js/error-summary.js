/* The error summary (GOV.UK pattern): it takes the focus when the page opens, so a screen reader reads it
   and a phone shows it first; each link moves to its field and brings the field's label into view. */
(function () {
  "use strict";
  function labelFor(input) {
    var group = input.closest("fieldset");
    if (group && (input.type === "radio" || input.type === "checkbox")) return group.querySelector("legend") || group;
    var label = input.id && document.querySelector("label[for='" + input.id + "']");
    return label && label.offsetParent ? label : input;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus-on-load]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-field]");
      if (!link) return;
      var input = document.getElementById(link.getAttribute("data-field"));
      if (!input) return;
      event.preventDefault();
      labelFor(input).scrollIntoView({ block: "start" });
      input.focus({ preventScroll: true });
    });
  });
})();
