"""The user form's village picker: one group of checkboxes per township, with the chosen villages listed.

It works without script: every village is a checkbox under its township's heading, and the chosen
ones are listed above. static/js/village-picker.js adds a search box, shows only the townships
ticked in 负责乡镇 (and any township with a chosen village), and keeps the chosen list live with a
button to remove each. No inline script (the page's CSP allows none).
"""

from django import forms
from django.template.loader import render_to_string


class VillagePicker(forms.CheckboxSelectMultiple):
    """Checkboxes for a ModelMultipleChoiceField over villages, grouped by township (select_related it)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        base_id = self.build_attrs(self.attrs, attrs).get("id") or f"id_{name}"
        groups: dict[int, dict] = {}
        for index, (option, _label) in enumerate(self.choices):
            village = getattr(option, "instance", None)
            if village is None:
                continue
            township = village.township
            group = groups.setdefault(township.pk, {"township": township, "options": [], "chosen": 0})
            checked = str(option) in chosen
            group["chosen"] += checked
            group["options"].append(
                {"id": f"{base_id}_{index}", "value": str(option), "label": village.name, "checked": checked}
            )
        picked = [
            {"label": f"{g['township'].name} / {o['label']}", "id": o["id"]}
            for g in groups.values()
            for o in g["options"]
            if o["checked"]
        ]
        return render_to_string(
            "widgets/village_picker.html",
            {"name": name, "id": base_id, "groups": list(groups.values()), "picked": picked},
        )

    def id_for_label(self, id_, index=None):
        return ""  # a group of checkboxes is named by its fieldset's legend, not by one <label for>
