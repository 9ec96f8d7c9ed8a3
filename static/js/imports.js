// The job page of every kind (templates/jobs/job.html; the file kept the name of the page that had it
// first): ask the job's state every second and move the bar; reload when the job stops working.
(function () {
  var box = document.getElementById("progress");
  if (!box) { return; }
  var bar = document.getElementById("progress-bar"), text = document.getElementById("progress-text");
  var unit = text.dataset.unit ? " " + text.dataset.unit : "";
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (!d.working) { window.location.reload(); return; }
        bar.value = d.total ? Math.min(99, Math.floor(d.done * 100 / d.total)) : 0;
        text.textContent = d.label + " · " + d.done.toLocaleString() + (d.total ? " / " + d.total.toLocaleString() : "") + unit;
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
