"""The registry's vocabulary as plain data: stored slugs and the form's Chinese words.

Pure Python (no Django) so that kernels can use it anywhere; `registry.choices` builds
the model choices from it. The Chinese labels are those of the registration form
(贫困户登记表) and are matched literally on import, so they are never translated here.
"""

from __future__ import annotations

HOUSEHOLD_STATUS = {
    "not_registered": "非建档立卡户",
    "registered": "建档立卡贫困户",
    "exited": "已脱贫",
    "returned": "返贫",
    "removed": "已剔除",
}
CATEGORY = {
    "general": "一般贫困户",
    "dibao_poor": "低保贫困户",
    "dibao": "低保户",
    "tekun": "特困供养户",
}
CAUSE = {
    "illness": "因病",
    "disability": "因残",
    "schooling": "因学",
    "disaster": "因灾",
    "land": "缺土地",
    "water": "缺水",
    "skills": "缺技术",
    "labor": "缺劳力",
    "funds": "缺资金",
    "transport": "交通条件落后",
    "motivation": "自身发展动力不足",
    "other": "其他",
}
RELATION = {
    "head": "户主",
    "spouse": "配偶",
    "child": "之子/之女",
    "child_in_law": "之儿媳/之女婿",
    "grandchild": "之孙子/之孙女",
    "parent": "之父/之母",
    "grandparent": "之祖父/之祖母",
    "sibling": "之兄弟姐妹",
    "other": "其他",
}
SEX = {"M": "男", "F": "女"}
EDUCATION = {
    "none": "文盲或半文盲",
    "primary": "小学",
    "junior": "初中",
    "senior": "高中",
    "vocational": "中专",
    "tertiary": "大专及以上",
}
HEALTH = {"healthy": "健康", "chronic": "长期慢性病", "serious": "患有大病", "disabled": "残疾"}
LABOR = {
    "ordinary": "普通劳动力",
    "skilled": "技能劳动力",
    "lost": "丧失劳动力",
    "none": "无劳动力",
}
HOUSING_GRADE = {"A": "A", "B": "B", "C": "C", "D": "D"}
FLAG = {"yes": "是", "no": "否"}
MEMBER_EVENT = {
    "birth": "出生", "marriage_in": "婚入", "move_in": "迁入",
    "death": "死亡", "marriage_out": "婚出", "move_out": "迁出",
}  # fmt: skip

# Facts that bar identification under local "X不评" rules (DOMAIN.md 1.4); the rules that
# read them are policy data (`policy.ExclusionRuleValue`).
EXCLUSION_FACT = {
    "payroll_member": "家庭成员为公职人员或财政供养人员",
    "village_committee_member": "家庭成员为村两委成员",
    "owns_car": "拥有小汽车/非生产性机动车",
    "town_house": "在城镇购有商品房或门面",
    "operating_business": "经营企业、个体工商户或合作社并实际运营",
    "large_machinery": "拥有大型农机具",
    "hires_labour": "长期雇工",
    "not_resident": "空挂户或全家外出三年以上",
    "household_split": "为享受政策拆户分户",
    "commercial_pension": "购买商业养老保险",
    "study_abroad": "自费出国留学",
    "misconduct": "涉赌涉毒等违法行为未改正",
}

# Further spellings seen on county forms.
_ALIASES: dict[str, dict[str, str]] = {
    "relation": {
        "之子": "child", "之女": "child", "子": "child", "女": "child", "儿子": "child",
        "女儿": "child", "之儿媳": "child_in_law", "之女婿": "child_in_law",
        "之孙子": "grandchild", "之孙女": "grandchild", "之父": "parent", "之母": "parent",
        "之祖父": "grandparent", "之祖母": "grandparent", "其它": "other",
    },
    "cause": {"其它": "other"},
    "flag": {"Y": "yes", "N": "no", "y": "yes", "n": "no", "1": "yes", "0": "no"},
}  # fmt: skip


def _spellings(labels: dict[str, str], aliases: str | None = None) -> dict[str, str]:
    spelled: dict[str, str] = {}
    for slug, label in labels.items():
        spelled[slug] = slug
        spelled[slug.lower()] = slug
        spelled[label] = slug
    if aliases:
        spelled.update(_ALIASES[aliases])
    return spelled


# Enumerated import column -> {accepted spelling -> stored slug}.
FORM_VALUES: dict[str, dict[str, str]] = {
    "relation": _spellings(RELATION, "relation"),
    "sex": _spellings(SEX),
    "education": _spellings(EDUCATION),
    "health": _spellings(HEALTH),
    "labor": _spellings(LABOR),
    "category": _spellings(CATEGORY),
    "main_cause": _spellings(CAUSE, "cause"),
    "other_causes": _spellings(CAUSE, "cause"),
    "housing_grade": {**_spellings(HOUSING_GRADE), "a": "A", "b": "B", "c": "C", "d": "D"},
    **{
        name: _spellings(FLAG, "flag")
        for name in (
            "in_school", "food_ok", "clothing_ok", "education_ok", "medical_ok", "water_ok",
            "medical_insured", "critical_illness_insured", "pension_insured",
        )
    },
}  # fmt: skip

# Enumerated column -> {slug -> the form's Chinese}, for export and the template.
FORM_LABELS: dict[str, dict[str, str]] = {
    "relation": RELATION, "sex": SEX, "education": EDUCATION, "health": HEALTH,
    "labor": LABOR, "category": CATEGORY, "main_cause": CAUSE, "other_causes": CAUSE,
    "housing_grade": HOUSING_GRADE,
    **{name: FLAG for name in FORM_VALUES if name.endswith(("_ok", "_insured"))},
    "in_school": FLAG,
}  # fmt: skip
