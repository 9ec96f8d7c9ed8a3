"""The children list's page: the rows it reads and what each row shows.

The list is the registry's busiest page and must stay cheap at a million children (bench/README.md).
A row's labels, mask, age and link are made here once per page, and the row itself is written
here as HTML (rows()), so that the template only prints it.
"""

from django.db.models import CharField, Expression
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dingzhou_welfare import versions
from dingzhou_welfare.access import scope_children
from dingzhou_welfare.idnumbers import mask_id_number
from dingzhou_welfare.markup import text

from .models import Child, Classification, ClassificationKind, Sex, age_on

# What a row shows, read as plain values: nothing else is fetched, and no model is built per row
# (with select_related and the prefetch of categories that cost 1.5 ms of a page's CPU).
ROW_FIELDS = [
    "pk",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "likely_duplicate",
    "status",
    "township__name",
    "village__name",
]
# The list's counts are kept under this topic (KeptCountPaginator) until children change.
COUNTS_TOPIC = versions.CHILDREN
# A child's link with its id as a placeholder: one reverse() per page instead of one per row.
PK_PLACEHOLDER = 999_999_999_999


def children_for(user):
    """The children the user may see: what the filters, the sort and the capped count start from.

    Plain children, no joins: the count stays an index-only scan (joined values made PostgreSQL
    count a surname's 10,001 matches through the township table, 8 -> 180 ms). The page alone
    is read as values (rows()).
    """
    return scope_children(Child.objects.all(), user)


def children_changed(**kwargs) -> None:
    """Children or their categories were written (a model signal, or a bulk write saying so)."""
    versions.changed(COUNTS_TOPIC)


# The table's columns: the heading, and the label a row's cell shows on a phone (data-label).
COLUMNS = [
    gettext_lazy("姓名"),
    gettext_lazy("性别"),
    gettext_lazy("年龄"),
    gettext_lazy("身份证号"),
    gettext_lazy("乡镇 / 村"),
    gettext_lazy("儿童类别"),
    gettext_lazy("状态"),
]


class OpenKindCodes(Expression):
    """The codes of the row's child's open categories, as one comma-separated string (no code holds a
    comma), or NULL: a correlated subquery of the page's query.

    Written as SQL: the ORM's Subquery with OuterRef and an aggregate was cloned and resolved
    again for every page, a tenth of the page's instructions (bench/instructions.py).
    """

    output_field = CharField()
    template = (
        "(SELECT {aggregate} FROM {categories}"
        " WHERE {categories}.{end} IS NULL AND {categories}.{child} = {outer}.{pk})"
    )

    def as_sql(self, compiler, connection, aggregate="GROUP_CONCAT({kind})"):
        quote = connection.ops.quote_name
        outer = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        kind = Classification._meta.get_field("kind").column
        sql = self.template.format(
            aggregate=aggregate.format(kind=f"{quote(Classification._meta.db_table)}.{quote(kind)}"),
            categories=quote(Classification._meta.db_table),
            end=quote(Classification._meta.get_field("end_date").column),
            child=quote(Classification._meta.get_field("child").column),
            outer=outer,
            pk=quote(Child._meta.pk.column),
        )
        return sql, []

    def as_postgresql(self, compiler, connection):
        return self.as_sql(compiler, connection, aggregate="STRING_AGG({kind}, ',')")


def rows(page) -> list[str]:
    """The page's rows of the table, as HTML (each value escaped)."""
    children = list(page.object_list.annotate(open_kinds=OpenKindCodes()).values(*ROW_FIELDS, "open_kinds"))
    today = timezone.localdate()
    sexes = {value: str(label) for value, label in Sex.choices}
    statuses = {value: str(label) for value, label in Child.Status.choices}
    labels = {value: str(label) for value, label in ClassificationKind.choices}
    link = reverse("children:detail", args=[PK_PLACEHOLDER]).replace(str(PK_PLACEHOLDER), "{}")
    # Each row is written here, as Django's admin writes its change list rows
    # (admin/templatetags/admin_list.py): through the template, its ~20 nodes per row made the rows
    # 40% of the page's CPU. Every value is escaped (markup.text) as the template would.
    label_name, label_sex, label_age, label_id, label_area, label_kinds, label_status = map(text, COLUMNS)
    duplicate = f' <span class="tag warn">{text(_("疑似重复"))}</span>'
    no_id = f'<span class="muted">{text(_("无"))}</span>'
    no_kind = '<span class="muted">—</span>'
    html = []
    for child in children:
        url = text(link.format(child["pk"]))
        area = text(child["township__name"])
        if child["village__name"]:
            area += " / " + text(child["village__name"])
        id_number = text(mask_id_number(child["id_number"])) if child["id_number"] else no_id
        codes = sorted(child["open_kinds"].split(",")) if child["open_kinds"] else []  # in the order of the codes
        tags = "".join(f'<span class="tag">{text(labels.get(code, code))}</span>' for code in codes) or no_kind
        html.append(
            mark_safe(  # noqa: S308 - every value escaped
                f'<tr>\n      <td data-label="{label_name}"><a href="{url}">{text(child["name"])}</a>'
                f"{duplicate if child['likely_duplicate'] else ''}</td>\n"
                f'      <td data-label="{label_sex}">{text(sexes.get(child["sex"], child["sex"]))}</td>\n'
                f'      <td data-label="{label_age}">{age_on(child["birth_date"], today)}</td>\n'
                f'      <td data-label="{label_id}" class="mono">{id_number}</td>\n'
                f'      <td data-label="{label_area}">{area}</td>\n'
                f'      <td data-label="{label_kinds}">{tags}</td>\n'
                f'      <td data-label="{label_status}">{text(statuses.get(child["status"], child["status"]))}</td>\n'
                "    </tr>"
            )
        )
    return html
