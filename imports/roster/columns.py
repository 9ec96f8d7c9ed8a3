"""The roster's columns and its vocabulary: the headers, the words each cell may hold, and which
fields of a child, carer and account a row fills (imports/roster/parse.py checks the cells)."""

from django.utils.translation import gettext_lazy

from children.models import Carer, Child, ClassificationKind
from dingzhou_welfare.idnumbers import mask_account, mask_id_number, mask_phone

Kind = ClassificationKind

COLUMNS = [
    "姓名",
    "性别",
    "身份证号",
    "出生日期",
    "民族",
    "乡镇（街道）",
    "村（社区）",
    "户籍性质",
    "儿童类别",
    "保障项目",
    "保障起始月份",
    "监护人姓名",
    "监护人身份证号",
    "与儿童关系",
    "监护人电话",
    "开户银行",
    "银行账号",
    "残疾类别",
    "残疾等级",
    "残疾证号",
    "备注",
]
# DESIGN.md section 4: accepted when present; a file without them imports as before.
OPTIONAL_COLUMNS = ["认定日期", "无身份证号原因"]
REQUIRED = ["姓名", "身份证号", "乡镇（街道）", "户籍性质"]
CHUNK = 2000

SEXES = {"男": "M", "女": "F", "M": "M", "F": "F"}
HUKOU = {
    "农村": Child.HukouType.RURAL,
    "农业": Child.HukouType.RURAL,
    "城镇": Child.HukouType.URBAN,
    "非农业": Child.HukouType.URBAN,
}
# DESIGN.md section 4: the Chinese names and the bureau's short names.
KIND_NAMES = {
    **{str(label): value for value, label in Kind.choices},
    "社会散居孤儿": Kind.ORPHAN_SCATTERED,
    "散居孤儿": Kind.ORPHAN_SCATTERED,
    "机构集中养育孤儿": Kind.ORPHAN_INSTITUTIONAL,
    "集中养育孤儿": Kind.ORPHAN_INSTITUTIONAL,
    "机构孤儿": Kind.ORPHAN_INSTITUTIONAL,
    "农村留守儿童": Kind.LEFT_BEHIND,
    "留守儿童": Kind.LEFT_BEHIND,
    "残疾儿童": Kind.DISABLED,
}
# Names that stand for one of two or three kinds: decided by the rest of the row (see _kind_of).
DE_FACTO_NAMES = {"事实无人抚养儿童", "事实无人抚养"}
HARDSHIP_NAMES = {"困境儿童"}
RELATIONSHIPS = {
    **{str(label): value for value, label in Carer.Relationship.choices},
    **dict.fromkeys(["父", "爸爸"], Carer.Relationship.FATHER),
    **dict.fromkeys(["母", "妈妈"], Carer.Relationship.MOTHER),
    **dict.fromkeys(["祖父", "祖母", "爷爷", "奶奶"], Carer.Relationship.PATERNAL_GRANDPARENT),
    **dict.fromkeys(["外祖父", "外祖母", "外公", "外婆", "姥爷", "姥姥"], Carer.Relationship.MATERNAL_GRANDPARENT),
    **dict.fromkeys(["兄", "姐", "哥哥", "姐姐"], Carer.Relationship.SIBLING),
    **dict.fromkeys(
        ["叔叔", "伯伯", "伯父", "叔父", "姑姑", "姑妈", "舅舅", "舅父", "姨", "姨妈", "婶婶", "舅妈"],
        Carer.Relationship.UNCLE_AUNT,
    ),
    "福利院": Carer.Relationship.INSTITUTION,
}
DISABILITY_TYPES = {
    **{str(label): value for value, label in Child.DisabilityType.choices},
    **{str(label).removesuffix("残疾"): value for value, label in Child.DisabilityType.choices},
}
GRADES = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
MASKS = {
    "身份证号": mask_id_number,
    "监护人身份证号": mask_id_number,
    "银行账号": mask_account,
    "监护人电话": mask_phone,
    "残疾证号": mask_id_number,
}
# The child's own fields: column, attribute, how to show a value.
CHILD_FIELDS = [
    ("姓名", "name"),
    ("性别", "sex"),
    ("出生日期", "birth_date"),
    ("民族", "ethnicity"),
    ("乡镇（街道）", "township_id"),
    ("村（社区）", "village_id"),
    ("户籍性质", "hukou_type"),
    ("残疾类别", "disability_type"),
    ("残疾等级", "disability_grade"),
    ("残疾证号", "disability_cert_no"),
    ("备注", "note"),
    ("无身份证号原因", "no_id_reason"),
]
PREVIEW_FIELDS = [("乡镇（街道）", "township_id"), ("村（社区）", "village_id"), ("无身份证号原因", "no_id_reason")]
CARER_FIELDS = [
    ("监护人姓名", "name"),
    ("监护人身份证号", "id_number"),
    ("与儿童关系", "relationship"),
    ("监护人电话", "phone"),
]
ACCOUNT_FIELDS = [
    ("开户银行", "bank_name"),
    ("银行账号", "account_number"),
    ("监护人姓名", "payee_name"),
    ("监护人身份证号", "payee_id_number"),
    ("与儿童关系", "payee_relationship"),
]


WHAT_ID = gettext_lazy("身份证号")
# The child form's own rule and words (Child.clean): a child without an ID number has a reason.
NO_ID_REASON_REQUIRED = gettext_lazy("没有身份证号时须填写原因（如弃婴尚未落户）。")
WHAT_CARER_ID = gettext_lazy("监护人身份证号")
WHAT_ACCOUNT = gettext_lazy("银行账号")
