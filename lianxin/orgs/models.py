"""The organisation tree and the enterprises it covers.

The tree is a materialised path: each node's ``path`` is its parent's path plus a fixed-width step
(``STEP`` base-36 characters), so a subtree is one indexed ``path LIKE 'x%'``. Paths are only ever written
by :mod:`lianxin.orgs.services` (create and move), never by hand.
"""

from django.db import models
from django.db.models import Q

STEP = 4  # 36**4 = 1.6M children per node; depth 60 fits in 255 chars


class OrgKind(models.TextChoices):
    FEDERATION = "federation", "总工会"
    STREET = "street", "街道/园区工会"
    JOINT = "joint", "联合工会"
    INDUSTRY = "industry", "行业工会"
    BASE = "base", "基层工会"
    YOUTH = "youth", "团组织"
    WOMEN = "women", "妇组织"
    PARTY = "party", "党支部"


# Which kinds may sit under which: the service refuses anything else.
ALLOWED_CHILDREN = {
    OrgKind.FEDERATION: {OrgKind.STREET, OrgKind.INDUSTRY, OrgKind.JOINT, OrgKind.BASE, OrgKind.YOUTH,
                         OrgKind.WOMEN, OrgKind.PARTY},
    OrgKind.STREET: {OrgKind.JOINT, OrgKind.INDUSTRY, OrgKind.BASE, OrgKind.YOUTH, OrgKind.WOMEN, OrgKind.PARTY},
    OrgKind.JOINT: {OrgKind.BASE, OrgKind.YOUTH, OrgKind.WOMEN, OrgKind.PARTY},
    OrgKind.INDUSTRY: {OrgKind.BASE, OrgKind.YOUTH, OrgKind.WOMEN, OrgKind.PARTY},
    OrgKind.BASE: {OrgKind.YOUTH, OrgKind.WOMEN, OrgKind.PARTY},
    OrgKind.YOUTH: set(),
    OrgKind.WOMEN: set(),
    OrgKind.PARTY: set(),
}
# Unions that take members directly.
MEMBER_HOLDING_KINDS = {OrgKind.BASE, OrgKind.JOINT}


class Organization(models.Model):
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="上级组织")
    path = models.CharField(max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField()
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=OrgKind.choices)
    code = models.CharField("组织代码", max_length=32, blank=True)
    chair_name = models.CharField("负责人（主席/书记）", max_length=50, blank=True)
    vice_chair_names = models.CharField("副职", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    term_ends_on = models.DateField("本届任期届满", null=True, blank=True)
    enterprise = models.OneToOneField("orgs.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="own_union", verbose_name="所在企业（基层工会）")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("path",)

    class Meta:
        ordering = ["path"]
        verbose_name = verbose_name_plural = "组织"
        indexes = [models.Index(fields=["kind", "path"], name="org_kind_path")]
        constraints = [
            models.CheckConstraint(condition=Q(parent__isnull=True) | Q(depth__gt=0), name="org_root_or_child"),
        ]

    def __str__(self):
        return self.name

    @property
    def street_path(self) -> str:
        """The path prefix of the street/park this node lies in (its own path for the federation)."""
        return self.path[: 2 * STEP] if self.depth >= 1 else self.path


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class Size(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class Ownership(models.TextChoices):
    STATE = "state", "国有"
    COLLECTIVE = "collective", "集体"
    PRIVATE = "private", "私营"
    FOREIGN = "foreign", "外商投资"
    HMT = "hmt", "港澳台投资"
    INDIVIDUAL = "individual", "个体工商户"
    NEW_ECONOMIC = "new_economic", "两新组织·新经济组织"
    NEW_SOCIAL = "new_social", "两新组织·社会组织"
    PUBLIC_INSTITUTION = "institution", "事业单位"


class Enterprise(models.Model):
    name = models.CharField("企业名称", max_length=150)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    industry = models.CharField("行业门类", max_length=1, choices=Industry.choices)
    size = models.CharField("规模", max_length=8, choices=Size.choices)
    ownership = models.CharField("经济类型", max_length=16, choices=Ownership.choices)
    street = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="enterprises_in_street",
                               verbose_name="所在街道/园区")
    address = models.CharField("地址", max_length=200, blank=True)
    headcount = models.PositiveIntegerField("职工人数", default=0)
    covering_union = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="covered_enterprises", verbose_name="覆盖工会")
    needs_union_founding = models.BooleanField("待建会跟进", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Visible to the street it lies in and to the union that covers it (which may sit elsewhere).
    SCOPE_PATHS = ("street__path", "covering_union__path")

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "企业"
        indexes = [models.Index(fields=["street", "industry"], name="ent_street_industry")]

    def __str__(self):
        return self.name

    @property
    def covered(self) -> bool:
        return self.covering_union_id is not None
