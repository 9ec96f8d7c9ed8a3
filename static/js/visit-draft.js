/* The visit form keeps a draft in this browser (localStorage) while it is filled in, so nothing typed
   is lost when the village connection drops, the page is reloaded or the phone locks. The draft is
   removed only when the server has saved the visit (the visit page says so with data-clear-draft).
   Photos cannot be kept in a draft: the page says so. The draft also goes to the server (fetch, with the
   form's CSRF token) so that the visit can be finished on another phone; when both exist, the newer of an
   unsent local draft and the server's is restored, and the other can still be chosen. Our own code. */
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

  function readServerDraft() {
    var el = document.getElementById("server-draft");
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (error) { return null; }
  }

  function startForm(form, store) {
    var key = form.getAttribute("data-draft-key");
    var url = form.getAttribute("data-draft-url");
    var box = document.getElementById("draft-status");
    function text(name) { return box ? box.getAttribute("data-" + name) || "" : ""; }
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    var server = readServerDraft();
    var bound = form.getAttribute("data-bound") === "true";
    var local = null;
    if (store) {
      try { local = JSON.parse(store.getItem(key)); } catch (error) { local = null; }
    } else {
      setStatus(box, text("unavailable"), "warn");
    }

    var quiet = false; // a draft being put into the form is not typing: nothing to save
    var notice = false; // a restored notice stays until the user types
    function restore(values) {
      quiet = true;
      apply(form, values);
      quiet = false;
    }
    function saveStatus(message) {
      if (!notice) setStatus(box, message, "saved");
    }

    function keep(entry) {
      if (!store) return;
      try { store.setItem(key, JSON.stringify(entry)); } catch (error) { setStatus(box, text("unavailable"), "warn"); }
    }

    // Send the draft to the server; on success the copy in this phone is marked as the server's.
    var pushing = null;
    function push() {
      if (!url || navigator.onLine === false) return;
      var entry = local;
      if (!entry || entry.synced) return;
      pushing = window.fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
        body: JSON.stringify({ values: entry.values })
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (answer) {
        if (!answer || local !== entry) return; // refused, or typed again meanwhile: the next save sends it
        entry.synced = true;
        entry.serverAt = answer.at;
        keep(entry);
        saveStatus(text("synced").replace("%(time)s", hhmm(entry.at)));
      }).catch(function () { /* no network: the draft stays in this phone and goes up when it is back */ });
      return pushing;
    }

    function announce(message) {
      setStatus(box, message, "restored");
      notice = true;
      if ("scrollRestoration" in window.history) window.history.scrollRestoration = "manual";
      if (box && !document.querySelector("[data-focus-on-load]")) {
        box.scrollIntoView({ block: "center" });
        box.focus({ preventScroll: true });
      }
    }

    // After a failed submission the server shows what was posted, with its errors: that wins.
    var restored = false;
    if (!bound) {
      var localNewer = local && local.values && !local.synced && (!server || local.at > server.at);
      var sameAsServer = local && local.values && local.synced && server && local.serverAt === server.at;
      if (localNewer || sameAsServer) {
        restore(local.values);
        announce(text(server && localNewer ? "restored-newer" : "restored").replace("%(time)s", hhmm(local.at)));
        restored = true;
        var useServer = document.getElementById("draft-use-server");
        if (server && localNewer && useServer) {
          useServer.textContent = useServer.getAttribute("data-label").replace("%(time)s", hhmm(server.at));
          useServer.hidden = false;
          useServer.addEventListener("click", function () {
            restore(server.values);
            local = { at: Date.now(), values: server.values, synced: false };
            keep(local);
            push(); // the server's draft is the one now: the phone's newer one, sent meanwhile, is replaced
            useServer.hidden = true;
            announce(text("restored-server").replace("%(time)s", hhmm(server.at)));
          });
        }
        push();
      } else if (server && server.values) {
        restore(server.values);
        local = { at: server.at, values: server.values, synced: true, serverAt: server.at };
        keep(local);
        announce(text("restored-server").replace("%(time)s", hhmm(server.at)));
        restored = true;
      } else if (local && local.synced && store) {
        store.removeItem(key); // the server no longer has it: saved or given up on another phone
        local = null;
      }
    }
    if (restored) {
      var clear = document.getElementById("draft-discard");
      if (clear) {
        clear.hidden = false;
        clear.addEventListener("click", function () {
          if (store) store.removeItem(key);
          var done = url ? window.fetch(url, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
            body: JSON.stringify({ discard: true })
          }).catch(function () {}) : Promise.resolve();
          done.then(function () { window.location.reload(); });
        });
      }
    }

    var timer = null;
    var pushTimer = null;
    function save() {
      timer = null;
      local = { at: Date.now(), values: collect(form), synced: false };
      keep(local);
      if (store) saveStatus(text("saved").replace("%(time)s", hhmm(local.at)));
      if (pushTimer) window.clearTimeout(pushTimer);
      pushTimer = window.setTimeout(push, 1200);
    }
    function later(event) {
      if (quiet) return;
      if (event && event.isTrusted) notice = false; // the user is typing: the save line comes back
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, 400);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    window.addEventListener("online", push);
    window.addEventListener("pagehide", function () { if (timer) save(); });
    document.addEventListener("visibilitychange", function () { if (document.hidden && timer) save(); });
    form.addEventListener("submit", function (event) {
      save(); // the draft stays until the visit page confirms the server has it
      window.clearTimeout(pushTimer); // the visit itself is going up now
      if (navigator.onLine === false) {
        event.preventDefault();
        setStatus(box, text("offline"), "warn");
      }
    });
  }

  function seriousNeedsNote(form) {
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.dimension"), function (group) {
      var note = group.querySelector("input[type=text]");
      if (!note) return;
      var plain = note.getAttribute("placeholder") || "";
      function sync() {
        var serious = group.querySelector("input[value=serious]:checked");
        note.setAttribute("placeholder", serious ? note.getAttribute("data-serious-placeholder") || plain : plain);
      }
      group.addEventListener("change", sync);
      sync();
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
      seriousNeedsNote(form);
    });
  });
})();
