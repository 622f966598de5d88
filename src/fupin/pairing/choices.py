"""Choices of the pairing app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    """The level of a cadre's work unit (单位隶属), senior to junior."""

    PROVINCE = "province", _("省直")
    CITY = "city", _("市直")
    COUNTY = "county", _("县直")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村级")


class Satisfaction(models.TextChoices):
    """A household's rating of its paired cadre for a quarter (满意度)."""

    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class ObjectionStatus(models.TextChoices):
    """Where an objection raised from a contact card stands."""

    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class ProposalStatus(models.TextChoices):
    """Where an automatic assignment proposal stands."""

    PROPOSED = "proposed", _("待审批")
    APPLIED = "applied", _("已执行")
    DISCARDED = "discarded", _("已放弃")


class Distance(models.IntegerChoices):
    """How far a proposed cadre is from the household: the nearest shared region."""

    VILLAGE = 0, _("同村")
    TOWNSHIP = 1, _("同乡镇")
    COUNTY = 2, _("同县")


class PostingKind(models.TextChoices):
    """What a posting to a village sends: a resident first secretary or a work team."""

    FIRST_SECRETARY = "first_secretary", _("驻村第一书记")
    WORK_TEAM = "work_team", _("驻村工作队")


class PostingStatus(models.TextChoices):
    """Whether a posting is in force or has ended (its end reason says how)."""

    ACTIVE = "active", _("在岗")
    ENDED = "ended", _("已结束")


class PostingEndReason(models.TextChoices):
    """Why a posting ended: recalled (召回), replaced by a successor (轮换), or its term ran out."""

    RECALL = "recall", _("召回")
    REPLACEMENT = "replacement", _("轮换接替")
    TERM_ENDED = "term_ended", _("任期届满")


class CommitteeRole(models.TextChoices):
    """A seat on the village committee for poverty alleviation (村扶贫工作委员会): the four
    officers, one each, and plain members for the other seats."""

    PRODUCTION = "production", _("生产委员")
    LIFE = "life", _("生活委员")
    PUBLIC_SECURITY = "public_security", _("治安委员")
    PROPAGANDA = "propaganda", _("宣传委员")
    MEMBER = "member", _("委员")


class MemberBackground(models.TextChoices):
    """Where a committee member comes from (成员来源), for the composition report."""

    VILLAGE_CADRE = "village_cadre", _("村两委干部")
    GROUP_LEADER = "group_leader", _("村民小组长")
    VILLAGER_REPRESENTATIVE = "villager_rep", _("村民代表")
    POOR_HOUSEHOLD = "poor_household", _("贫困户代表")
    CAPABLE_PERSON = "capable_person", _("致富能人")
    RESPECTED_ELDER = "respected_elder", _("乡贤（老党员、老干部、老教师）")
    OTHER = "other", _("其他")


class MeetingKind(models.TextChoices):
    """A committee meeting: the weekly internal one or the monthly one open to villagers."""

    INTERNAL = "internal", _("委员会例会")
    PUBLIC = "public", _("群众公开会")


class PayUnit(models.TextChoices):
    """What a labour post's pay is counted by."""

    DAY = "day", _("元/天")
    MONTH = "month", _("元/月")


class ApplicationStatus(models.TextChoices):
    """Where a villager's application for a labour post stands: applied, on the post, off
    it again, or withdrawn by the villager (which ends the post too)."""

    APPLIED = "applied", _("已申请")
    ASSIGNED = "assigned", _("在岗")
    ENDED = "ended", _("已离岗")
    WITHDRAWN = "withdrawn", _("本人撤回")


class RewardKind(models.TextChoices):
    """What a red-list reward (红榜奖励) gives."""

    HONOUR = "honour", _("荣誉表彰")
    GOODS = "goods", _("物资奖励")
    CASH = "cash", _("现金奖励")
    POINTS = "points", _("积分奖励")


class Benefit(models.TextChoices):
    """What a black-list consequence could touch. The last three are statutory and
    protected (`PROTECTED_BENEFITS`): named here so that a request to cut them is refused
    by name, never stored."""

    VILLAGE_REWARD = "village_reward", _("村级奖励（红榜奖品、积分兑换）")
    COLLECTIVE_DIVIDEND = "collective_dividend", _("村集体经济分红")
    VILLAGE_SUBSIDY = "village_subsidy", _("村级产业奖补")
    LABOUR_POST = "labour_post", _("村级劳务岗位优先安排")
    DIBAO = "dibao", _("最低生活保障")
    TEKUN = "tekun", _("特困人员救助供养")
    MEDICAL_INSURANCE = "medical_insurance", _("基本医疗保险")


PROTECTED_BENEFITS = frozenset({Benefit.DIBAO, Benefit.TEKUN, Benefit.MEDICAL_INSURANCE})


class ConsequenceKind(models.TextChoices):
    """What a black-list consequence does to a benefit, once the entry is final."""

    SUSPEND = "suspend", _("暂停")
    REDUCE = "reduce", _("减少")
    CANCEL = "cancel", _("取消")


class NoticeMethod(models.TextChoices):
    """How the written notice of a black-list entry reached the household (书面告知)."""

    IN_PERSON = "in_person", _("当面送达并签收")
    LEFT_AT_HOME = "left_at_home", _("留置送达")
    BY_POST = "by_post", _("邮寄送达")


class BlackListStatus(models.TextChoices):
    """Where a black-list entry (黑榜) stands: decided, notified in writing, appealed to the
    township, and the township's decision."""

    ENTERED = "entered", _("已列入，待告知")
    NOTIFIED = "notified", _("已书面告知")
    APPEALED = "appealed", _("已申诉，待乡镇决定")
    UPHELD = "upheld", _("申诉驳回，维持")
    OVERTURNED = "overturned", _("申诉成立，撤销")


class AppealOutcome(models.TextChoices):
    """The township's decision on an appeal against a black-list entry."""

    UPHELD = "upheld", _("维持")
    OVERTURNED = "overturned", _("撤销")
