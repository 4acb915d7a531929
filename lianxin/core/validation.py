"""pydantic's validation errors in Chinese, for the API (lianxin/api.py: every 422 names the field) and the
application forms (lianxin/workflow/programmes.py: the field's label comes first). One table, so a form and the
API say the same thing about the same mistake."""

import re

CJK = re.compile(r"[\u3400-\u9fff]")

# pydantic's error types, in Chinese; {name} is filled from the error's ctx
MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字", "finite_number": "应为有限的数字",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "string_type": "应为文字", "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符", "string_unicode": "含有无法识别的字符",
    "literal_error": "只能是 {expected}", "enum": "只能是 {expected}",
    "greater_than_equal": "不能小于 {ge}", "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}", "less_than": "应小于 {lt}",
    "date_parsing": "应为日期，如 2026-01-31", "date_from_datetime_parsing": "应为日期，如 2026-01-31",
    "date_from_datetime_inexact": "应为日期，如 2026-01-31", "date_type": "应为日期，如 2026-01-31",
    "datetime_parsing": "应为时间，如 2026-01-31T09:00:00+08:00",
    "datetime_from_date_parsing": "应为时间，如 2026-01-31T09:00:00+08:00",
    "datetime_type": "应为时间，如 2026-01-31T09:00:00+08:00",
    "dict_type": "应为 JSON 对象", "model_type": "应为 JSON 对象", "model_attributes_type": "应为 JSON 对象",
    "list_type": "应为列表", "too_long": "最多 {max_length} 项", "too_short": "至少 {min_length} 项",
    "json_invalid": "不是有效的 JSON", "json_type": "不是有效的 JSON",
}


def pydantic_message(error: dict) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in Chinese, without the field's name."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):  # our own validators raise Chinese messages
        text = str(ctx.get("error", ""))
        return text if CJK.search(text) else "填写不正确"
    template = MESSAGES.get(kind, "填写不正确")
    if "expected" in ctx:  # "'', 'member' or 'none'" → "''、'member'、'none'"
        ctx = {**ctx, "expected": str(ctx["expected"]).replace(", ", "、").replace(" or ", "、")}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return "填写不正确"


def check_schedule(*, starts_at, ends_at, signup_deadline, now, longest, too_long: str) -> None:
    """The window of something members sign up for (a volunteer project, a care campaign): all three times
    given, a start after ``now``, an end after the start and at most ``longest`` later (else ``too_long``), and a
    sign-up deadline between now and the start. Each refusal is a Chinese ServiceError naming its field."""
    import datetime as dt

    from lianxin.core.errors import ServiceError

    for value, field, label in ((starts_at, "starts_at", "开始时间"), (ends_at, "ends_at", "结束时间"),
                                (signup_deadline, "signup_deadline", "报名截止")):
        if not isinstance(value, dt.datetime):
            raise ServiceError(f"请填写{label}", field=field)
    if starts_at <= now:
        raise ServiceError("开始时间应晚于现在", field="starts_at")
    if ends_at <= starts_at:
        raise ServiceError("结束时间应晚于开始时间", field="ends_at")
    if ends_at - starts_at > longest:
        raise ServiceError(too_long, field="ends_at")
    if not now < signup_deadline <= starts_at:
        raise ServiceError("报名截止应在现在到开始时间之间", field="signup_deadline")
