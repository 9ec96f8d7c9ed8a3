// The footer's language list: choosing a language submits its form (a button does it without script).
(function () {
  var select = document.getElementById("language-select");
  if (!select) { return; }
  select.addEventListener("change", function () { select.form.submit(); });
})();
