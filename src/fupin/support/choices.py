"""Choices of the assistance ledger: stable English slugs, Chinese labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureType(models.TextChoices):
    """The kind of a support measure (帮扶措施类型)."""

    INDUSTRY = "industry", _("产业帮扶")
    EMPLOYMENT = "employment", _("就业帮扶")
    EDUCATION = "education", _("教育帮扶")
    HEALTH = "health", _("健康帮扶")
    HOUSING = "housing", _("危房改造")
    RELOCATION = "relocation", _("易地扶贫搬迁")
    ECOLOGICAL = "ecological", _("生态补偿")
    MINIMUM_LIVING = "minimum_living", _("低保兜底")
    EXTREME_POVERTY = "extreme_poverty", _("特困供养")
    MICROCREDIT = "microcredit", _("扶贫小额信贷")
    WELFARE_POST = "welfare_post", _("公益岗位")
    TRAINING = "training", _("技能培训")
    OTHER = "other", _("其他")


class MeasureForm(models.TextChoices):
    """Whether a measure was given as money or in kind (资金或实物)."""

    MONEY = "money", _("资金")
    IN_KIND = "in_kind", _("实物或服务")


class ProviderKind(models.TextChoices):
    """Who provided a measure (帮扶主体)."""

    DEPARTMENT = "department", _("行业部门")
    ENTERPRISE = "enterprise", _("企业")
    DONOR = "donor", _("社会捐助")
    VILLAGE = "village", _("村集体")
    OTHER = "other", _("其他")


class FundSource(models.TextChoices):
    """Where poverty-alleviation funds come from (资金来源)."""

    CENTRAL = "central", _("中央财政专项扶贫资金")
    PROVINCIAL = "provincial", _("省级财政专项扶贫资金")
    CITY = "city", _("市级财政专项扶贫资金")
    COUNTY = "county", _("县级财政专项扶贫资金")
    SECTOR = "sector", _("行业部门涉农资金")
    OTHER = "other", _("其他资金")


class ProjectKind(models.TextChoices):
    """The kind of a poverty-alleviation project (扶贫项目类型)."""

    INFRASTRUCTURE = "infrastructure", _("基础设施")
    INDUSTRY = "industry", _("产业发展")
    PUBLIC_SERVICES = "public_services", _("公共服务")


class ProjectStatus(models.TextChoices):
    """Where a project stands (项目状态); a project moves one step forward at a time."""

    PLANNED = "planned", _("已入库")
    APPROVED = "approved", _("已批复")
    UNDER_CONSTRUCTION = "under_construction", _("在建")
    COMPLETED = "completed", _("已完工")
    ACCEPTED = "accepted", _("已验收")


class ResettlementKind(models.TextChoices):
    """How a resettlement site houses the households moved to it (安置方式)."""

    CENTRALISED = "centralised", _("集中安置")
    DISPERSED = "dispersed", _("分散安置")


class MoveStatus(models.TextChoices):
    """Where a household's relocation stands (搬迁进度); a move goes one step at a time:
    planned, the new home handed over, the household moved in; or it is called off."""

    PLANNED = "planned", _("计划搬迁")
    HANDED_OVER = "handed_over", _("已交房")
    MOVED = "moved", _("已搬迁入住")
    CANCELLED = "cancelled", _("已取消")


class RelocationJobKind(models.TextChoices):
    """Where a relocated household's member found work (搬迁后就业方式)."""

    SITE_WORKSHOP = "site_workshop", _("安置点扶贫车间")
    LOCAL_ENTERPRISE = "local_enterprise", _("本地企业")
    WELFARE_POST = "welfare_post", _("公益岗位")
    MIGRANT = "migrant", _("外出务工")
    SELF_EMPLOYED = "self_employed", _("自主创业")


class LoanPurpose(models.TextChoices):
    """What a poverty-alleviation microcredit loan finances (贷款用途)."""

    PLANTING = "planting", _("种植业")
    BREEDING = "breeding", _("养殖业")
    PROCESSING = "processing", _("农产品加工")
    COMMERCE = "commerce", _("商贸流通")
    TOURISM = "tourism", _("乡村旅游")
    OTHER = "other", _("其他生产经营")


class LoanStatus(models.TextChoices):
    """Where a microcredit loan stands (贷款状态): current until its due date passes unpaid,
    then overdue, and defaulted once overdue beyond the policy's days; repaid when nothing
    is owed; written off when the risk compensation fund (风险补偿金) covers it."""

    CURRENT = "current", _("正常")
    OVERDUE = "overdue", _("逾期")
    DEFAULTED = "defaulted", _("违约")
    REPAID = "repaid", _("已结清")
    WRITTEN_OFF = "written_off", _("风险补偿金代偿")
