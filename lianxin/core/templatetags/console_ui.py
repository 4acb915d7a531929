"""Template helpers for the staff console: what the signed-in user's roles allow (so a page does not offer a
button that answers 403), and the audit log in words a union clerk reads (an action code such as
``workflow.returned`` and a detail dict such as ``{'in_person': False}`` are for machines)."""

from __future__ import annotations

import re
from functools import cache

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from lianxin.core.scoping import can, may

register = template.Library()


@register.filter(name="may")
def may_filter(user, action: str) -> bool:
    """``{% if user|may:"change" %}``: the user's roles allow ``action`` somewhere (a grant's subtree) — the
    same question the form's URL asks (scoping.offers), so a button is shown exactly when its form opens."""
    return may(user, action)


@register.simple_tag(takes_context=True)
def can_at(context, action: str, path: str) -> bool:
    """``{% can_at "view" org.path as ok %}``: the signed-in user may ``action`` things placed at ``path``."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return bool(path) and can(user, action, path)


# Every action code the services record (grep ``audit.record(``); an unknown code is shown as it is.
AUDIT_ACTIONS = {
    "org.create": "新建组织", "org.founded": "批复成立基层工会", "org.update": "修改组织", "org.move": "调整组织隶属",
    "enterprise.create": "登记企业", "enterprise.update": "修改企业",
    "person.create": "登记人员", "person.update": "修改人员信息", "person.reveal": "查看完整身份证号/手机号",
    "membership.admit": "办理入会", "membership.transfer": "办理转会", "membership.end": "办理退会",
    "user.create": "新建账号", "role.grant": "授予角色", "role.revoke": "撤销角色",
    "account.password_change": "修改密码", "account.password_change_fail": "修改密码失败",
    "account.password_reset": "重置密码", "account.backup_codes": "重新生成备用验证码",
    "account.login_refused": "拒绝登录", "account.contact_mobile": "设置提醒手机号",
    "account.contact_mobile_removed": "删除提醒手机号", "account.notify_via": "修改审批提醒方式",
    "otp.enroll": "绑定验证器", "otp.verify": "二次验证", "otp.fail": "二次验证失败", "otp.reset": "重置验证器",
    "rosters.upload": "上传花名册", "rosters.import": "导入花名册", "rosters.import_rejected": "花名册未导入",
    "rosters.error_report": "下载导入错误报告", "rosters.export": "导出人员名单",
    "rosters.export_reveal": "导出含完整证件号的名单",
    "workflow.create": "创建申请", "workflow.update": "修改申请", "workflow.submit": "提交申请",
    "workflow.resubmit": "补正后重新提交", "workflow.withdraw": "撤回申请",
    "workflow.approved": "审核通过", "workflow.returned": "退回补正", "workflow.rejected": "审核不予通过",
    "workflow.escalate": "超期上报", "workflow.attach": "上传材料", "workflow.detach": "删除材料",
    "workflow.cert_issue": "颁发法人资格证书", "workflow.cert_cancel": "注销法人资格证书",
    "workflow.cert_expiry_reminder": "证书到期提醒",
    "content.article_publish": "发布文章", "content.article_return": "退回文章", "content.article_withdraw": "撤下文章",
    "content.book_upload": "上传电子书",
    "activity.create": "新建活动", "activity.update": "修改活动", "activity.publish": "发布活动",
    "activity.cancel": "取消活动", "activity.signup_cancel": "取消报名",
    "venues.site_create": "登记服务阵地", "venues.slots_create": "开放预约时段", "venues.attendance": "登记到场",
    "venues.pause_lift": "解除预约暂停",
    "dashboard.export": "导出驾驶舱报表",
    "assistance.fund_create": "设立帮扶资金", "assistance.allocate": "拨入帮扶资金", "assistance.disburse": "支出帮扶资金",
    "assistance.file_open": "建立困难职工档案", "assistance.file_update": "更新困难职工档案",
    "assistance.file_close": "困难职工脱困",
    "mutualaid.plan_create": "设立医疗互助计划", "mutualaid.enrol_union": "工会会员批量参加医疗互助",
    "mutualaid.enrol": "会员参加医疗互助", "mutualaid.withdraw": "会员退出医疗互助", "mutualaid.pay": "发放医疗互助住院补助",
    "mutualaid.contribution": "登记医疗互助金到账",
    "assistance.campaign_create": "设立送温暖活动", "assistance.recipient_add": "报送慰问对象",
    "assistance.recipient_import": "从困难职工档案报送慰问对象", "assistance.recipient_withdraw": "撤回慰问对象",
    "assistance.warmth_upload": "上传慰问名单", "assistance.warmth_error_report": "下载慰问名单错误报告",
    "assistance.recipient_approve": "审核通过慰问对象", "assistance.recipient_reject": "慰问对象不通过",
    "assistance.campaign_pay": "发放慰问金", "assistance.recipient_deliver": "登记慰问送达",
    "assistance.campaign_close": "结束送温暖活动", "assistance.campaign_export": "导出慰问签收表",
    "assistance.ledger_export": "导出资金台账", "assistance.study_grant": "发放金秋助学金",
    "assistance.retreat_create": "安排疗休养", "assistance.retreat_share": "分配疗休养名额",
    "assistance.retreat_nominate": "推荐疗休养人员", "assistance.retreat_cancel": "取消疗休养人员",
    "assistance.retreat_attend": "登记疗休养参加", "assistance.retreat_export": "导出疗休养名单",
    "assistance.retreat_withdraw": "疗休养人员退出", "assistance.retreat_promote": "疗休养候补递补",
    "assistance.homeward_create": "设立平安返乡", "assistance.homeward_coach": "安排返乡专车",
    "assistance.homeward_apply": "报名平安返乡", "assistance.homeward_confirm": "确认平安返乡报名",
    "assistance.homeward_decline": "平安返乡报名不通过", "assistance.homeward_cancel": "取消平安返乡报名",
    "assistance.homeward_pay": "发放返乡购票补贴", "assistance.homeward_export": "导出返乡专车乘车名单",
    "assistance.job_post": "发布招聘岗位", "assistance.job_close": "结束岗位招聘", "assistance.job_apply": "报名招聘岗位",
    "assistance.job_outcome": "登记招聘结果", "assistance.job_seeker": "求职登记",
    "talent.selection_create": "新建评选", "talent.selection_update": "修改评选",
    "talent.selection_nominating": "评选开始推荐", "talent.selection_voting": "评选开始投票",
    "talent.selection_close": "评选结束投票", "talent.selection_announce": "公示评选结果",
    "talent.candidate_nominate": "推荐评选候选人", "talent.candidate_approve": "候选人审核通过",
    "talent.candidate_reject": "候选人审核不通过", "talent.honour_add": "记入劳模工匠库",
    "talent.honour_end": "撤销荣誉",
    "talent.competition_create": "新建劳动竞赛", "talent.contestant_enter": "竞赛报名",
    "talent.contestant_withdraw": "撤回竞赛报名", "talent.competition_close": "竞赛结束报名",
    "talent.competition_scores": "登记竞赛成绩", "talent.competition_publish": "公布竞赛成绩",
    "talent.competition_award": "授予竞赛称号", "talent.competition_update": "修改劳动竞赛",
    "talent.competition_export": "导出竞赛成绩", "talent.innovation_create": "新建创新成果评审",
    "talent.innovation_judge": "添加评委", "talent.innovation_submit": "申报创新成果",
    "talent.innovation_judging": "开始创新成果评审", "talent.innovation_score": "评委评分",
    "talent.innovation_close": "结束创新成果评审", "talent.innovation_export": "导出创新成果评审结果",
    "volunteers.volunteer_approve": "志愿者登记通过", "volunteers.volunteer_decline": "志愿者登记不通过",
    "volunteers.project_create": "发布志愿服务项目", "volunteers.project_update": "修改志愿服务项目",
    "volunteers.project_cancel": "取消志愿服务项目", "volunteers.signup_absent": "登记志愿者未参加",
    "volunteers.hours_credit": "计入志愿服务时长", "volunteers.hours_reverse": "冲正志愿服务时长",
    "volunteers.hours_export": "导出志愿服务时长台账",
    "training.class_create": "发布班组长培训班", "training.quota_set": "分配培训名额",
    "training.enrol": "班组长培训报名", "training.withdraw": "退出班组长培训报名",
    "training.attendance_record": "培训课次点名", "training.scores_record": "登记培训考核成绩",
    "training.certificates_issue": "发放培训结业证书", "training.roll_export": "导出培训学员名册",
    "training.education_grant": "发放教育补助", "training.class_update": "修改班组长培训班",
    "training.class_cancel": "取消班组长培训班", "training.certificate_revoke": "撤销培训结业证书",
    "care.campaign_update": "修改女职工关爱行动", "care.class_update": "修改暑期托管班",
    "care.campaign_create": "发布女职工关爱行动", "care.share_set": "分配关爱行动名额",
    "care.campaign_cancel": "取消女职工关爱行动", "care.signup_attended": "登记关爱行动已参加",
    "care.signup_absent": "登记关爱行动未到", "care.signup_export": "导出关爱行动报名名单",
    "care.class_create": "发布暑期爱心托管班", "care.class_cancel": "取消暑期爱心托管班",
    "care.attendance_mark": "托管班点名",
    "care.room_register": "登记爱心妈咪小屋", "care.room_update": "修改爱心妈咪小屋登记",
    "care.room_approve": "街道审核通过爱心妈咪小屋", "care.room_return": "街道退回爱心妈咪小屋登记",
    "care.room_rate": "评定爱心妈咪小屋星级",
    "governance.round_create": "发布建家评选", "governance.quota_set": "分配建家评选街道名额",
    "governance.application_submit": "建家申报", "governance.application_resubmit": "建家申报退回后重新提交",
    "governance.application_pass": "街道审核推荐建家申报", "governance.application_return": "街道退回建家申报修改",
    "governance.application_reject": "街道审核建家申报不通过", "governance.application_name": "命名模范职工之家",
    "governance.application_decline": "建家申报未予命名", "governance.home_recheck": "职工之家复核合格",
    "governance.home_revoke": "职工之家复核不合格撤销称号", "governance.round_export": "导出建家评选结果",
    "governance.election_record": "登记工会换届选举",
    "governance.worker_recruit": "招聘派驻社会化工会工作者", "governance.worker_rehire": "重新聘用社会化工会工作者", "governance.worker_transfer": "社会化工会工作者调岗",
    "governance.worker_renew": "社会化工会工作者续签合同", "governance.worker_leave": "社会化工会工作者离职",
    "governance.worklog_enter": "登记工作者月度工作记录", "governance.worklog_edit": "修改工作者月度工作记录",
    "governance.worklog_confirm": "确认工作者月度工作记录", "governance.assessment_open": "发布工作者年度考核",
    "governance.assessment_grade": "评定工作者年度考核等次", "governance.assessment_confirm": "确认工作者年度考核结果",
    "governance.assessment_export": "导出工作者年度考核结果",
    "party.member_enrol": "登记党员", "party.member_confirm_full": "预备党员转正", "party.probation_extend": "延长预备期",
    "party.member_transfer": "党员组织关系支部间转接", "party.member_transfer_out": "党员组织关系转出",
    "party.letter_send": "开具党员组织关系介绍信", "party.letter_accept": "接收党员组织关系介绍信",
    "party.letter_return": "退回党员组织关系介绍信", "party.letter_withdraw": "撤回党员组织关系介绍信",
    "party.member_status": "登记党籍变动（停止党籍/去世）", "party.dues_set": "核定党费",
    "party.meeting_record": "登记三会一课", "party.meeting_update": "更正三会一课记录", "party.meetings_export": "导出三会一课记录",
    "party.dues_pay": "登记党费缴纳", "party.dues_remind": "提醒未缴党费", "party.dues_reverse": "冲正党费", "party.dues_export": "导出党费收缴表",
    "card.reissue": "补发电子会员卡", "crypto.rotate": "更换加密密钥", "demo.seed": "载入演示数据",
}

# Detail keys that are not a field of the object's model.
DETAIL_KEYS = {
    "before": "修改前", "after": "修改后", "changed": "修改项", "step": "环节序号", "level": "环节", "decision": "结论",
    "fields": "需补正项", "in_person": "要求到场", "result": "办理结果", "to": "转至", "from": "原审核组织",
    "days_late": "超期天数", "rerouted": "改派审核组织", "programme": "事项", "number": "编号", "on_behalf": "代为填报",
    "notes": "说明", "slot": "材料", "type": "文件类型", "size": "大小（字节）", "sha256": "文件指纹",
    "valid_until": "有效期至", "left_on": "上次离职日期", "replaces": "替换证书", "credit_code": "统一社会信用代码", "kind": "类型",
    "first_day": "起始日期", "days": "天数", "capacity": "名额", "created": "新增时段数", "file": "文件", "mode": "方式",
    "total": "总行数", "added": "新增", "updated": "更新", "unchanged": "无变化", "rejected": "错误行",
    "members_added": "新入会", "skipped": "跳过有问题的行", "fmt": "格式", "q": "查询条件", "org": "组织", "status": "状态", "rows": "行数",
    "reveal": "含完整证件号", "user": "账号", "role": "角色", "people": "人员数", "enterprises": "企业数",
    "person": "人员编号", "member_no": "会员编号", "union": "工会", "from_union": "原工会", "to_union": "新工会",
    "from_branch": "转出支部", "to_branch": "转入支部",
    "old": "原会籍编号", "id": "身份证号", "name": "名称", "title": "标题", "category": "栏目", "format": "格式",
    "chapters": "章节数", "parent": "上级组织", "membership": "会籍编号", "certificate": "证书", "reason": "原因",
    "field": "字段", "count": "数量", "no_account": "未开通手机端人数", "key": "密钥编号", "applications": "申请数", "staff_contacts": "工作人员手机号数",
    "notifications": "消息数", "year": "年度", "fund": "资金", "amount": "金额（元）",
    "balance": "余额（元）", "application": "申请编号", "campaign": "活动", "budget": "预算（元）", "places": "名额",
    "paid": "已发放（元）",
    "honour": "荣誉称号", "winners": "当选人", "proposed": "按票数拟当选", "adjusted": "调整当选名单",
    "candidates": "候选人数", "electorate": "投票名单人数", "early": "提前结束", "votes": "总票数",
    "selection": "评选", "model_worker_flag": "标记为劳模",
    "competition": "竞赛", "trade": "工种/项目", "max_entrants": "参赛名额", "absent": "缺考人数",
    "round": "评审", "prizes": "一/二/三等奖名额", "union_cap": "每个工会限报", "awarded": "获奖成果",
    "contribution": "互助金（元/人）", "deductible": "起付线（元）", "cap": "年度最高补助（元）",
    "minutes": "时长（分钟）", "project": "志愿服务项目",
    "training_class": "培训班", "sessions": "课次数", "session": "课次", "pass_mark": "考核合格分",
    "quota": "分配名额", "taken": "已报名", "present": "到课/出席人数", "first": "起始证书编号", "last": "截止证书编号",
    "scored": "登记成绩人数", "trainees": "应到人数", "education_level": "学历或证书层次",
    "class": "托管班", "child": "孩子",
    "place": "地点", "description": "说明", "starts_on": "开始日期", "ends_on": "结束日期",
    "signup_deadline": "报名截止", "starts_at": "开始时间", "ends_at": "结束时间", "min_age": "最低年龄",
    "max_age": "最高年龄", "daily_hours": "每日托管时间",
    "score": "街道评分",
    "grade": "岗位等级", "from_post": "原派驻单位", "to_post": "新派驻单位", "visits": "走访企业",
    "unions_founded": "新建工会", "members_recruited": "发展会员", "disputes_mediated": "调解劳动争议",
    "expected": "应到人数", "on_leave": "请假人数", "absentees": "缺席人数", "attendance": "出席情况变动", "first_due_on": "预备期满一年之日",
    "period": "所属月份", "base": "月缴费基数（元）", "fixed": "固定月缴额（元）", "monthly": "月缴额（元）", "on": "日期",
    "owed": "应缴互助金（元）", "paid_in": "已缴互助金（元）", "year_paid": "本年度已补助（元）", "remaining": "剩余额度（元）",
}
TRUE_FALSE = {True: "是", False: "否", "True": "是", "False": "否", "true": "是", "false": "否"}


@cache
def _choice_index() -> dict[str, dict[str, str]]:
    """field name -> {stored value: label}, over every project model (first model wins on a clash)."""
    out: dict[str, dict[str, str]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("lianxin."):
            continue
        for f in model._meta.get_fields():
            for value, label in getattr(f, "flatchoices", None) or ():
                if isinstance(value, str) and value:
                    out.setdefault(f.name, {}).setdefault(value, str(label))
    return out


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if "." in (object_type or "") else None
    except (LookupError, ValueError):
        return None


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(model, key: str) -> str:
    f = _field(model, key)
    if f is not None and getattr(f, "verbose_name", None) and not str(f.verbose_name).isascii():
        return str(f.verbose_name)
    return DETAIL_KEYS.get(key, key)


def _value(model, key: str, value, field_labels: dict[str, str]) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, dict):
        return "；".join(f"{_label(model, k)}：{_value(model, k, v, field_labels)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(_value(model, key, v, field_labels) for v in value) or "（无）"
    if isinstance(value, bool | str) and value in TRUE_FALSE:
        return TRUE_FALSE[value]
    if isinstance(value, str):
        if key == "programme":
            from lianxin.workflow.programmes import PROGRAMMES

            p = PROGRAMMES.get(value)
            return p.name if p else value
        if key in ("fields", "changed", "slot") and value in field_labels:
            return field_labels[value]
        f = _field(model, key)
        choices = dict(f.flatchoices) if f is not None and getattr(f, "flatchoices", None) else None
        if choices and value in choices:
            return str(choices[value])
        if value in _choice_index().get(key, {}):
            return _choice_index()[key][value]
    return str(value)


@register.filter
def audit_action(code: str) -> str:
    return AUDIT_ACTIONS.get(code, code)


@register.filter
def audit_object(entry) -> str:
    model = _model(entry.object_type)
    if model is None:
        return f"{entry.object_type} {entry.object_id}".strip()
    return f"{model._meta.verbose_name} {entry.object_id}".strip()


@cache
def _application_field_labels() -> dict[str, str]:
    """Form field and attachment codes of every programme -> their Chinese labels (for "需补正项" and "材料")."""
    from lianxin.workflow.programmes import PROGRAMMES

    labels: dict[str, str] = {}
    for p in PROGRAMMES.values():
        labels.update(p.field_labels())
        labels.update({a.code: a.label for a in p.attachments})
    return labels


@register.filter
def audit_detail(entry) -> list[tuple[str, str]]:
    """The detail dict as (Chinese label, readable value) pairs, in the order the service wrote them."""
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    model = _model(entry.object_type)
    field_labels = _application_field_labels() if entry.object_type == "workflow.application" else {}
    return [(_label(model, k), _value(model, k, v, field_labels)) for k, v in detail.items()]


@register.simple_tag
def audit_action_choices() -> list[tuple[str, str]]:
    """(code, label) for the audit log's filter, grouped by area (the code's prefix) as the services name them."""
    return sorted(AUDIT_ACTIONS.items())


_PATH_TAIL = re.compile(r"\s*查看[:：]\s*/\S*\s*$")


@register.filter
def without_path(text: str) -> str:
    """A message written for SMS/WeChat ends with "查看：/console/applications/48/"; on the page the title is
    already the link, so the bare path is dropped."""
    return _PATH_TAIL.sub("", text or "")


FILE_KINDS = {"application/pdf": "PDF 文件", "image/jpeg": "JPEG 图片", "image/png": "PNG 图片",
              "application/epub+zip": "EPUB 电子书",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
              "application/vnd.ms-excel": "Excel 表格", "text/csv": "CSV 表格",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档"}


@register.filter
def file_kind(content_type: str) -> str:
    return FILE_KINDS.get((content_type or "").split(";")[0].strip(), "文件")


@register.filter
def fields_with_errors(form) -> list:
    """The visible fields of ``form`` that have errors, in form order (the summary above a form names them)."""
    return [f for f in form.visible_fields() if f.errors]


@register.filter
def no_org_to_choose(form) -> bool:
    """The form asks for the organising organisation (``org``) and this person has none to offer: the form could
    never be saved (a grassroots chair on a form the street or the federation runs)."""
    f = form.fields.get("org")
    if f is None or f.disabled:
        return False
    qs = getattr(f, "queryset", None)
    if qs is not None:
        return not qs.exists()
    return not any(value for value, _ in f.choices)
