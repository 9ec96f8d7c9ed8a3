/* The children list on a phone: the filters other than the search box fold behind one button
   (筛选, with how many are set). Without this script every filter simply shows. No inline script. */
(function () {
  "use strict";
  var form = document.getElementById("child-filters");
  if (!form) return;
  var toggle = form.querySelector(".filter-toggle");
  var more = document.getElementById("more-filters");
  if (!toggle || !more) return;
  form.classList.add("folding");
  toggle.hidden = false;
  function set(open) {
    form.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  set(false);
  toggle.addEventListener("click", function () {
    set(!form.classList.contains("open"));
    if (form.classList.contains("open")) {
      var first = more.querySelector("select, input");
      if (first) first.focus();
    }
  });
})();
