/* The visit form keeps a draft in this browser (localStorage) while it is filled in, so nothing typed
   is lost when the village connection drops, the page is reloaded or the phone locks. The draft is
   removed only when the server has saved the visit (the visit page says so with data-clear-draft).
   Photos cannot be kept in a draft: the page says so. Our own code, no library, no network. */
(function () {
  "use strict";
  var PREFIX = "visit-draft:";
  var MAX_AGE_MS = 14 * 24 * 3600 * 1000; // drafts older than two weeks are dropped

  function storage() {
    try {
      var probe = "__visit_draft_probe__";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // private mode or storage full: the form still works, without drafts
    }
  }

  function dropOldDrafts(store) {
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (!key || key.indexOf(PREFIX) !== 0) continue;
      try {
        var saved = JSON.parse(store.getItem(key));
        if (!saved || Date.now() - saved.at > MAX_AGE_MS) store.removeItem(key);
      } catch (error) {
        store.removeItem(key);
      }
    }
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "file" && el.type !== "submit" && el.type !== "button";
    });
  }

  function collect(form) {
    var values = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (!values[el.name]) values[el.name] = [];
        if (el.checked) values[el.name].push(el.value);
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function apply(form, values) {
    fields(form).forEach(function (el) {
      if (!(el.name in values)) return;
      var value = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else {
        el.value = value;
      }
    });
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function hhmm(ms) {
    var d = new Date(ms);
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function setStatus(box, text, kind) {
    if (!box) return;
    box.textContent = text;
    box.className = "draft-status" + (kind ? " " + kind : "");
  }

  function startForm(form, store) {
    var key = form.getAttribute("data-draft-key");
    var box = document.getElementById("draft-status");
    var texts = {
      saved: box ? box.getAttribute("data-saved") : "",
      restored: box ? box.getAttribute("data-restored") : "",
      offline: box ? box.getAttribute("data-offline") : "",
      none: box ? box.getAttribute("data-unavailable") : ""
    };
    if (!store) {
      setStatus(box, texts.none, "warn");
      return;
    }
    var existing = null;
    try { existing = JSON.parse(store.getItem(key)); } catch (error) { existing = null; }
    // After a failed submission the server shows what was posted, with its errors: that wins.
    if (existing && existing.values && form.getAttribute("data-bound") !== "true") {
      apply(form, existing.values);
      setStatus(box, texts.restored.replace("%(time)s", hhmm(existing.at)), "restored");
      var clear = document.getElementById("draft-discard");
      if (clear) {
        clear.hidden = false;
        clear.addEventListener("click", function () {
          store.removeItem(key);
          window.location.reload();
        });
      }
    }
    var timer = null;
    function save() {
      timer = null;
      var at = Date.now();
      try {
        store.setItem(key, JSON.stringify({ at: at, values: collect(form) }));
        setStatus(box, texts.saved.replace("%(time)s", hhmm(at)), "saved");
      } catch (error) {
        setStatus(box, texts.none, "warn");
      }
    }
    function later() {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, 400);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    window.addEventListener("pagehide", function () { if (timer) save(); });
    document.addEventListener("visibilitychange", function () { if (document.hidden && timer) save(); });
    form.addEventListener("submit", function (event) {
      save(); // the draft stays until the visit page confirms the server has it
      if (navigator.onLine === false) {
        event.preventDefault();
        setStatus(box, texts.offline, "warn");
      }
    });
  }

  function toggleHarm(form) {
    var box = form.querySelector("[name=suspected_harm]");
    var detail = document.getElementById("harm-detail");
    if (!box || !detail) return;
    function sync() { detail.hidden = !box.checked; }
    form.addEventListener("change", sync);
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var store = storage();
    if (store) {
      dropOldDrafts(store);
      Array.prototype.forEach.call(document.querySelectorAll("[data-clear-draft]"), function (el) {
        store.removeItem(el.getAttribute("data-clear-draft"));
      });
    }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-key]"), function (form) {
      startForm(form, store);
      toggleHarm(form);
    });
  });
})();
