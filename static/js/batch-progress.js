// The batch page while a month is computed: poll its progress every second; reload when it is over.
(function () {
  var box = document.getElementById("progress");
  if (!box) { return; }
  var bar = document.getElementById("progress-bar"), text = document.getElementById("progress-text");
  var template = text.dataset.template || "";
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.finished || (d.error && !document.getElementById("batch-error"))) { window.location.reload(); return; }
        bar.max = d.total || 1; bar.value = d.done;
        text.textContent = d.total ? template.replace("DONE", d.done).replace("TOTAL", d.total) : d.label;
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
