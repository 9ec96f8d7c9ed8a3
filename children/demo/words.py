"""The words the demo draws from: names, village names, work places, evidence, family patterns."""

from ..models import Child
from .plan import Situation


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = "王李张刘赵杨陈孙马高郭周吴徐郝田韩贾石梁宋崔杜曹魏齐冯牛邢谷安苏孟董吕何朱胡任侯"
SURNAME_WEIGHTS = [12, 11, 10, 9, 7, 5] + [3] * 10 + [1] * (len(SURNAMES) - 16)


BOY_NAMES = _words(
    "浩然 子轩 梓豪 宇航 一鸣 俊熙 晨阳 家乐 博文 子豪 浩宇 明轩 天佑 嘉豪 宇轩 思远 泽宇 睿泽 皓轩 子墨 "
    "奕辰 铭泽 文博 志豪 梓睿 承泽 俊杰 子健 宇豪 嘉乐 晨曦 景轩 锦程 浩 阳 鑫 磊 帅 硕 凯 昊"
)
GIRL_NAMES = _words(
    "欣怡 梓涵 子涵 一诺 雨桐 诗涵 可欣 思彤 佳怡 梦琪 若汐 语嫣 雨萱 欣然 紫涵 梓萱 嘉怡 晓雪 佳琪 静怡 "
    "雅琪 语桐 思琪 梓琪 艺涵 晨曦 心怡 欣妍 雨欣 若曦 悦 萌 婷 雪 颖 璐 菲 瑶"
)
MAN_NAMES = _words("建军 志强 海涛 永刚 立新 红伟 国庆 建华 晓东 志勇 俊峰 海龙 亮 伟 军 超 磊 鹏 涛 刚 春生 振华")
WOMAN_NAMES = _words("丽娜 艳红 晓燕 红霞 海燕 素娟 丽 静 敏 娟 芳 霞 玉梅 秀芳 春燕 彩霞 淑芬 丽华 美玲 翠平")
OLD_MAN_NAMES = _words("德福 德顺 振山 文华 满仓 建国 保国 志刚 金锁 福来 玉山 国栋 树林 占魁 洪亮 长顺")
OLD_WOMAN_NAMES = _words("桂英 秀兰 淑珍 玉兰 凤英 桂兰 秀英 素梅 玉珍 淑华 翠英 秀云 凤兰 桂芝")
FOUNDLING_SURNAMES = "党国"

DIRECTIONS = "东西南北前后大小中"
VILLAGE_SUFFIXES = ["庄", "庄", "各庄", "家庄", "营", "疃", "屯", "店", "寨", "堡", ""]
SPECIAL_VILLAGES = _words("东关 西关 南关 北关 东辛庄 西辛庄 南辛庄 北辛庄 辛兴 河口 新村 东旺 西旺 庄头 北城")
COMMUNITY_CORES = _words(
    "中山 建设 兴华 文化 胜利 和平 新华 长安 博物馆 中兴 兴定 开元 东关 南关 西关 北关 东苑 清风 富强 朝阳 "
    "光明 兴隆 华府 滨河 塔院 贡院 众春园 永康"
)
COMMUNITY_FORMS = ["", "路", "街", "里", "苑"]

WORK_PLACES = _words(
    "北京市大兴区 北京市丰台区 北京市顺义区 天津市西青区 石家庄市 保定市莲池区 雄安新区 廊坊市 "
    "江苏省苏州市 广东省深圳市"
)
EVIDENCE = {
    Situation.DEAD: ["居民死亡医学证明书", "火化证明", "户籍注销证明"],
    Situation.DECLARED_MISSING: ["人民法院宣告失踪判决书"],
    Situation.UNKNOWN: ["公安机关捡拾弃婴报案证明"],
    Situation.SEVERE_DISABILITY: ["残疾人证（一级肢体）", "残疾人证（二级智力）", "残疾人证（三级精神）"],
    Situation.SERIOUS_ILLNESS: ["县级医院诊断证明（尿毒症）", "县级医院诊断证明（恶性肿瘤）"],
    Situation.IMPRISONED: ["人民法院刑事判决书及监狱在押证明"],
    Situation.DRUG_REHAB: ["强制隔离戒毒决定书"],
    Situation.RESTRICTED_LIBERTY: ["公安机关限制人身自由措施决定书"],
    Situation.LOST_CONTACT: ["公安机关失联报案回执及查找情况说明"],
    Situation.GUARDIANSHIP_REVOKED: ["人民法院撤销监护人资格判决书"],
    Situation.DEPORTED: ["公安机关遣送出境决定书"],
    Situation.INCAPABLE: ["村委会证明（长期卧床，无劳动能力）"],
    Situation.WORKING_AWAY: ["村委会证明"],
}
# (father, mother, weight): 民发〔2019〕62号 rule B (one dead or missing) and rule A (both in S).
DE_FACTO_PATTERNS = [
    (Situation.DEAD, Situation.LOST_CONTACT, 25),
    (Situation.IMPRISONED, Situation.LOST_CONTACT, 20),
    (Situation.SEVERE_DISABILITY, Situation.LOST_CONTACT, 10),
    (Situation.SERIOUS_ILLNESS, Situation.LOST_CONTACT, 6),
    (Situation.SEVERE_DISABILITY, Situation.SEVERE_DISABILITY, 6),
    (Situation.IMPRISONED, Situation.DEAD, 5),
    (Situation.DEAD, Situation.SEVERE_DISABILITY, 5),
    (Situation.DECLARED_MISSING, Situation.LOST_CONTACT, 3),
    (Situation.DRUG_REHAB, Situation.LOST_CONTACT, 3),
    (Situation.IMPRISONED, Situation.IMPRISONED, 2),
    (Situation.GUARDIANSHIP_REVOKED, Situation.LOST_CONTACT, 2),
    (Situation.RESTRICTED_LIBERTY, Situation.SEVERE_DISABILITY, 1),
    (Situation.LOST_CONTACT, Situation.DEPORTED, 1),
]
ORPHAN_PATTERNS = [
    (Situation.DEAD, Situation.DEAD, 70),
    (Situation.DEAD, Situation.DECLARED_MISSING, 15),
    (Situation.DECLARED_MISSING, Situation.DEAD, 10),
    (Situation.DECLARED_MISSING, Situation.DECLARED_MISSING, 5),
]
DISABILITY_CODES = {  # 第二代残疾人证号 = ID number + type code + grade
    Child.DisabilityType.VISUAL: "1",
    Child.DisabilityType.HEARING: "2",
    Child.DisabilityType.SPEECH: "3",
    Child.DisabilityType.PHYSICAL: "4",
    Child.DisabilityType.INTELLECTUAL: "5",
    Child.DisabilityType.MENTAL: "6",
    Child.DisabilityType.MULTIPLE: "7",
}
DISABILITY_WEIGHTS = [7, 10, 8, 25, 30, 10, 10]
NO_ID_REASONS = ["弃婴，尚未落户", "捡拾弃婴，户口正在办理", "查找生父母公告期未满，尚未落户"]
UNREGISTERED_REASON = "出生后未办理户口登记，正在补办"
DUPLICATE_REASON = "未提供户口簿，身份证号待补录"
FULL_NAMES = _words("刘晓燕 赵建华 孙立新 高丽娜 郭志勇 马素娟")  # the demo accounts' names
