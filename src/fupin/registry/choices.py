"""Model choices of the registry: stable English slugs with the form's Chinese labels.

The words themselves live in `registry.vocabulary` (plain data, shared with kernels).
"""

from __future__ import annotations

from django.db import models

from fupin.registry import vocabulary as v


class HouseholdStatus(models.TextChoices):
    """Where a household stands in the register (贫困户状态); derived from transitions."""

    NOT_REGISTERED = "not_registered", v.HOUSEHOLD_STATUS["not_registered"]
    REGISTERED = "registered", v.HOUSEHOLD_STATUS["registered"]
    EXITED = "exited", v.HOUSEHOLD_STATUS["exited"]
    RETURNED = "returned", v.HOUSEHOLD_STATUS["returned"]
    REMOVED = "removed", v.HOUSEHOLD_STATUS["removed"]


class Category(models.TextChoices):
    """Household attribute (贫困户属性)."""

    GENERAL = "general", v.CATEGORY["general"]
    DIBAO_POOR = "dibao_poor", v.CATEGORY["dibao_poor"]
    DIBAO = "dibao", v.CATEGORY["dibao"]
    TEKUN = "tekun", v.CATEGORY["tekun"]


class Cause(models.TextChoices):
    """Cause of poverty (致贫原因)."""

    ILLNESS = "illness", v.CAUSE["illness"]
    DISABILITY = "disability", v.CAUSE["disability"]
    SCHOOLING = "schooling", v.CAUSE["schooling"]
    DISASTER = "disaster", v.CAUSE["disaster"]
    LAND = "land", v.CAUSE["land"]
    WATER = "water", v.CAUSE["water"]
    SKILLS = "skills", v.CAUSE["skills"]
    LABOR = "labor", v.CAUSE["labor"]
    FUNDS = "funds", v.CAUSE["funds"]
    TRANSPORT = "transport", v.CAUSE["transport"]
    MOTIVATION = "motivation", v.CAUSE["motivation"]
    OTHER = "other", v.CAUSE["other"]


class Relation(models.TextChoices):
    """Relation to the head of household (与户主关系)."""

    HEAD = "head", v.RELATION["head"]
    SPOUSE = "spouse", v.RELATION["spouse"]
    CHILD = "child", v.RELATION["child"]
    CHILD_IN_LAW = "child_in_law", v.RELATION["child_in_law"]
    GRANDCHILD = "grandchild", v.RELATION["grandchild"]
    PARENT = "parent", v.RELATION["parent"]
    GRANDPARENT = "grandparent", v.RELATION["grandparent"]
    SIBLING = "sibling", v.RELATION["sibling"]
    OTHER = "other", v.RELATION["other"]


class Sex(models.TextChoices):
    """Sex (性别)."""

    MALE = "M", v.SEX["M"]
    FEMALE = "F", v.SEX["F"]


class Education(models.TextChoices):
    """Education level (文化程度)."""

    NONE = "none", v.EDUCATION["none"]
    PRIMARY = "primary", v.EDUCATION["primary"]
    JUNIOR = "junior", v.EDUCATION["junior"]
    SENIOR = "senior", v.EDUCATION["senior"]
    VOCATIONAL = "vocational", v.EDUCATION["vocational"]
    TERTIARY = "tertiary", v.EDUCATION["tertiary"]


class Health(models.TextChoices):
    """Health status (健康状况)."""

    HEALTHY = "healthy", v.HEALTH["healthy"]
    CHRONIC = "chronic", v.HEALTH["chronic"]
    SERIOUS = "serious", v.HEALTH["serious"]
    DISABLED = "disabled", v.HEALTH["disabled"]


class Labor(models.TextChoices):
    """Labour ability (劳动技能)."""

    ORDINARY = "ordinary", v.LABOR["ordinary"]
    SKILLED = "skilled", v.LABOR["skilled"]
    LOST = "lost", v.LABOR["lost"]
    NONE = "none", v.LABOR["none"]


class HousingGrade(models.TextChoices):
    """Dwelling safety grade set by the county housing department (危房等级)."""

    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class MemberEventKind(models.TextChoices):
    """A dated change in a household's composition (人口自然变更) after registration.

    Members present when the household was registered carry no joining event.
    """

    BIRTH = "birth", v.MEMBER_EVENT["birth"]
    MARRIAGE_IN = "marriage_in", v.MEMBER_EVENT["marriage_in"]
    MOVE_IN = "move_in", v.MEMBER_EVENT["move_in"]
    DEATH = "death", v.MEMBER_EVENT["death"]
    MARRIAGE_OUT = "marriage_out", v.MEMBER_EVENT["marriage_out"]
    MOVE_OUT = "move_out", v.MEMBER_EVENT["move_out"]


class ExclusionFactKind(models.TextChoices):
    """A fact about a household that local exclusion rules (X不评) read."""

    PAYROLL_MEMBER = "payroll_member", v.EXCLUSION_FACT["payroll_member"]
    VILLAGE_COMMITTEE_MEMBER = (
        "village_committee_member",
        v.EXCLUSION_FACT["village_committee_member"],
    )
    OWNS_CAR = "owns_car", v.EXCLUSION_FACT["owns_car"]
    TOWN_HOUSE = "town_house", v.EXCLUSION_FACT["town_house"]
    OPERATING_BUSINESS = "operating_business", v.EXCLUSION_FACT["operating_business"]
    LARGE_MACHINERY = "large_machinery", v.EXCLUSION_FACT["large_machinery"]
    HIRES_LABOUR = "hires_labour", v.EXCLUSION_FACT["hires_labour"]
    NOT_RESIDENT = "not_resident", v.EXCLUSION_FACT["not_resident"]
    HOUSEHOLD_SPLIT = "household_split", v.EXCLUSION_FACT["household_split"]
    COMMERCIAL_PENSION = "commercial_pension", v.EXCLUSION_FACT["commercial_pension"]
    STUDY_ABROAD = "study_abroad", v.EXCLUSION_FACT["study_abroad"]
    MISCONDUCT = "misconduct", v.EXCLUSION_FACT["misconduct"]


JOIN_EVENTS = frozenset(
    {MemberEventKind.BIRTH, MemberEventKind.MARRIAGE_IN, MemberEventKind.MOVE_IN}
)
LEAVE_EVENTS = frozenset(
    {MemberEventKind.DEATH, MemberEventKind.MARRIAGE_OUT, MemberEventKind.MOVE_OUT}
)
