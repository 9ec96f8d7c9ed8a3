"""The report's terms (名词解释): one term, one population (DESIGN.md 5.1, the bureau's words of DOMAIN.md 0).

The figures (reports.figures) take their programme groups from here, and the report prints `GLOSSARY` on
its last page, so a term printed in a sentence or a table is the population defined below.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

# 困境儿童分类保障: the seven programmes, in the order the bureau lists them; institutional care apart.
CLASSIFIED_PROTECTION_CODES = (
    "orphan_scattered",
    "de_facto_scattered",
    "extreme_poverty",
    "urban_dibao",
    "rural_dibao",
    "severe_disability_care",
    "poor_disabled_living",
)
# 机构集中供养儿童: orphans and de facto unsupported children cared for in the institution.
INSTITUTIONAL_CODES = ("orphan_institutional", "de_facto_institutional")
# 基本生活费（补贴）: the basic-living programmes of orphans and de facto unsupported children.
BASIC_LIVING_CODES = ("orphan_scattered", "orphan_institutional", "de_facto_scattered", "de_facto_institutional")


@dataclass(frozen=True)
class Term:
    name: Promise
    population: Promise


CLASSIFIED_PROTECTION = Term(
    gettext_lazy("困境儿童分类保障"),
    gettext_lazy(
        "期末享受散居孤儿基本生活费、社会散居事实无人抚养儿童基本生活补贴、特困人员救助供养、城镇低保、农村低保、"
        "重度残疾人护理补贴、困难残疾人生活补贴七个项目的儿童，按项目分别计数，总数等于各项目人数之和；"
        "同一儿童享受两个以上项目的，另注明实际儿童人数。机构集中供养儿童不计入，另行列出。"
    ),
)
SCATTERED_ORPHANS = Term(gettext_lazy("社会散居孤儿"), gettext_lazy("期末享受散居孤儿基本生活费的孤儿。"))
DE_FACTO = Term(
    gettext_lazy("事实无人抚养儿童"),
    gettext_lazy("期末享受社会散居事实无人抚养儿童基本生活补贴的儿童（不含机构集中供养的）。"),
)
INSTITUTIONAL = Term(
    gettext_lazy("机构集中供养儿童"),
    gettext_lazy(
        "期末在儿童福利机构养育、享受机构养育孤儿基本生活费或集中供养事实无人抚养儿童基本生活补贴的孤儿和事实无人抚养儿童。"
    ),
)
ORPHANS = Term(gettext_lazy("孤儿"), gettext_lazy("社会散居孤儿与机构集中养育孤儿之和。"))
LEFT_BEHIND = Term(gettext_lazy("农村留守儿童"), gettext_lazy("期末仍认定为农村留守儿童（类别有效）的儿童。"))
DYNAMIC = Term(
    gettext_lazy("动态新增、动态减员"),
    gettext_lazy("统计期内开始、终止的孤儿和事实无人抚养儿童类别记录（散居和机构集中养育的均计入）。"),
)
BASIC_LIVING_MONEY = Term(
    gettext_lazy("基本生活费（补贴）"),
    gettext_lazy("统计期内已审批发放的孤儿和事实无人抚养儿童四个基本生活保障项目（散居和机构）的金额。"),
)
ALL_MONEY = Term(
    gettext_lazy("各类保障资金"),
    gettext_lazy("统计期内已审批发放的困境儿童分类保障七个项目的金额，不含机构集中供养儿童的基本生活费。"),
)
AGREEMENTS_SIGNED = Term(
    gettext_lazy("已签订委托监护责任确认书"),
    gettext_lazy("期末有已签订且在委托期限内的《委托监护责任确认书》的农村留守儿童。"),
)
CARE_VISITS = Term(
    gettext_lazy("走访慰问"),
    gettext_lazy(
        "统计期内走访慰问活动登记发放的儿童（每个活动每名儿童计一次），按发放当日所属类别依社会散居孤儿、"
        "机构集中养育孤儿、事实无人抚养儿童、农村留守儿童、残疾儿童、困境儿童的顺序只计入第一个；发放物品按活动登记的数量合计。"
    ),
)
ADOPTIONS = Term(gettext_lazy("收养登记"), gettext_lazy("统计期内办理登记（登记日期在期内）的收养案件数。"))
PROTECTION_PILOTS = Term(
    gettext_lazy("未成年人保护工作站试点"),
    gettext_lazy("期末已列为未成年人保护工作站试点（试点开始日期不晚于期末）的乡镇（街道），由系统管理员维护。"),
)
SUPERVISOR_TRAININGS = Term(
    gettext_lazy("儿童督导员培训"),
    gettext_lazy("统计期内举办的儿童督导员培训期数和参训人次；乡镇报表只含本乡镇举办的培训。"),
)

GLOSSARY = [
    CLASSIFIED_PROTECTION,
    SCATTERED_ORPHANS,
    DE_FACTO,
    INSTITUTIONAL,
    ORPHANS,
    LEFT_BEHIND,
    DYNAMIC,
    BASIC_LIVING_MONEY,
    ALL_MONEY,
    AGREEMENTS_SIGNED,
    CARE_VISITS,
    ADOPTIONS,
    PROTECTION_PILOTS,
    SUPERVISOR_TRAININGS,
]
