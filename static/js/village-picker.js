/* The user form's village picker (dingzhou_welfare/village_picker.py): a search box, only the ticked
   townships' villages shown, and the chosen villages listed with a button to remove each.
   Without this script every village is a checkbox under its township and the form works the same. */
(function () {
  "use strict";
  var picker = document.querySelector(".village-picker");
  if (!picker) return;
  var townshipBoxes = Array.prototype.slice.call(document.querySelectorAll("input[name=townships]"));
  var groups = Array.prototype.slice.call(picker.querySelectorAll(".village-group"));
  var boxes = Array.prototype.slice.call(picker.querySelectorAll("input[type=checkbox]"));
  var count = picker.querySelector(".picked-count");
  var list = picker.querySelector(".picked-list");
  // The words come translated from the page (widgets/village_picker.html), "%s" standing for a number or name.
  function word(name) { return picker.getAttribute("data-" + name) || ""; }
  var words = { search: word("search"), placeholder: word("placeholder"), picked: word("picked"), none: word("none"),
    remove: word("remove"), noTownship: word("no-township"), noMatch: word("no-match") };

  var row = document.createElement("div");
  row.className = "village-search";
  var label = document.createElement("label");
  var search = document.createElement("input");
  search.type = "search";
  search.id = picker.id + "_search";
  search.placeholder = words.placeholder;
  search.autocomplete = "off";
  label.htmlFor = search.id;
  label.textContent = words.search;
  row.appendChild(label);
  row.appendChild(search);
  var note = document.createElement("p");
  note.className = "muted village-note";
  picker.insertBefore(note, picker.querySelector(".village-groups"));
  picker.insertBefore(row, note);

  function ticked() {
    var ids = {};
    townshipBoxes.forEach(function (box) { if (box.checked) ids[box.value] = true; });
    return ids;
  }

  function nameOf(box) {
    var group = box.closest(".village-group");
    return group.querySelector("legend").firstChild.textContent.trim() + " / " + box.parentNode.textContent.trim();
  }

  function showPicked() {
    var chosen = boxes.filter(function (box) { return box.checked; });
    count.innerHTML = "";
    var strong = document.createElement("strong");
    strong.textContent = words.picked.replace("%s", chosen.length);
    count.appendChild(strong);
    if (!chosen.length) count.appendChild(document.createTextNode(words.none));
    list.innerHTML = "";
    chosen.forEach(function (box) {
      var item = document.createElement("li");
      item.className = "chip";
      var name = nameOf(box);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "chip-remove";
      button.setAttribute("aria-label", words.remove.replace("%s", name));
      button.textContent = "×";
      button.addEventListener("click", function () {
        box.checked = false;
        update();
        search.focus();
      });
      item.appendChild(document.createTextNode(name + " "));
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function filter() {
    var wanted = ticked();
    var query = search.value.trim();
    var anyTownship = Object.keys(wanted).length > 0;
    var shown = 0;
    groups.forEach(function (group) {
      var hasChosen = group.querySelector("input:checked") !== null;
      var open = wanted[group.getAttribute("data-township")] || hasChosen;
      var matches = 0;
      Array.prototype.forEach.call(group.querySelectorAll("li"), function (li) {
        var hit = !query || li.textContent.indexOf(query) !== -1;
        li.hidden = !hit;
        if (hit) matches += 1;
      });
      group.hidden = !open || matches === 0;
      if (!group.hidden) shown += 1;
    });
    note.textContent = !anyTownship ? words.noTownship : (shown ? "" : words.noMatch);
    note.hidden = note.textContent === "";
  }

  function update() {
    showPicked();
    filter();
  }

  boxes.forEach(function (box) { box.addEventListener("change", update); });
  townshipBoxes.forEach(function (box) { box.addEventListener("change", filter); });
  search.addEventListener("input", filter);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();  // Enter in the search box does not submit the form
  });
  update();
})();
