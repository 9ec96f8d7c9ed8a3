// The import job page: poll the job's state every second; reload when the check or commit is over.
(function () {
  var box = document.getElementById("progress");
  if (!box) { return; }
  var bar = document.getElementById("progress-bar"), text = document.getElementById("progress-text");
  var template = text.dataset.template || "";
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (!d.working) { window.location.reload(); return; }
        bar.max = d.total || Math.max(d.done, 1);
        bar.value = d.done;
        text.textContent = d.label + " · " + d.done.toLocaleString() + (d.total ? " / " + d.total.toLocaleString() : "");
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
