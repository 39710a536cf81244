"""What the complaint and mediation services say to people, in Chinese and English.

Field errors travel as `{field: {"zh-CN": ..., "en": ...}}` inside `Invalid`, so a page
re-renders the form in its language and the JSON API returns both.
"""

Texts = dict[str, str]

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the complaint form ---------------------------------------------------------------
    "employer.required": (
        "请从搜索结果中选择用人单位，或填写单位名称。",
        "Choose the employer from the search results, or type its name.",
    ),
    "employer.unknown": (
        "没有找到这个用人单位，请重新搜索或直接填写名称。",
        "This employer was not found; search again or type its name.",
    ),
    "employer.too_long": (
        "单位名称最多 {limit} 个字。",
        "The employer's name may have at most {limit} characters.",
    ),
    "search.too_long": (
        "搜索内容最多 {limit} 个字。",
        "A search may have at most {limit} characters.",
    ),
    "county.invalid": (
        "请选择温州市的一个县（市、区）。",
        "Choose a county, district or county-level city of Wenzhou.",
    ),
    "town.too_long": (
        "乡镇（街道）名称最多 {limit} 个字。",
        "The town or street name may have at most {limit} characters.",
    ),
    "project.invalid": (
        "这个工程项目不在所选的县（市、区）。",
        "This project is not in the county you chose.",
    ),
    "period.required": (
        "请填写被拖欠工资的月份（例如 2026-08）。",
        "Give the months you were not paid for (for example 2026-08).",
    ),
    "period.invalid": (
        "月份格式应为 年-月，例如 2026-08。",
        "Write the month as year-month, for example 2026-08.",
    ),
    "period.order": (
        "结束月份不能早于开始月份。",
        "The last month cannot be before the first month.",
    ),
    "period.future": (
        "月份不能晚于本月。",
        "The months cannot be later than this month.",
    ),
    "amount.required": (
        "请填写被拖欠的金额（元）；不清楚可以填 0。",
        "Give the amount owed in yuan; write 0 if you do not know.",
    ),
    "amount.invalid": (
        "金额应为不小于 0 的数字（元），最多两位小数，例如 8500、12,600 或 ¥8,500.50。",
        "The amount must be a number of yuan, at least 0, with at most two decimals, "
        "e.g. 8500, 12,600 or ¥8,500.50.",
    ),
    "workers.invalid": (
        "涉及人数应为 {low} 到 {high} 之间的整数。",
        "The number of workers affected must be a whole number from {low} to {high}.",
    ),
    "description.required": (
        "请简单说明发生了什么。",
        "Say briefly what happened.",
    ),
    "description.too_long": (
        "情况说明最多 {limit} 个字。",
        "The description may have at most {limit} characters.",
    ),
    "phone.invalid": (
        "请填写手机号（例如 13800000000）或固定电话（例如 0577-88888888）。",
        "Give a mobile number (e.g. 13800000000) or a landline (e.g. 0577-88888888).",
    ),
    "worker_name.too_long": (
        "姓名最多 {limit} 个字。",
        "The name may have at most {limit} characters.",
    ),
    "kind.invalid": (
        "请选择投诉类型。",
        "Choose what the complaint is about.",
    ),
    "language.invalid": (
        "请选择中文或英文。",
        "Choose Chinese or English.",
    ),
    # --- mediation ------------------------------------------------------------------------
    "held_on.invalid": (
        "请填写调解日期（年-月-日），不能早于收到投诉的日期，也不能晚于今天。",
        "Give the session's date (year-month-day): not before the complaint was received "
        "and not after today.",
    ),
    "note.required": ("请填写记录。", "Write a note."),
    "note.too_long": (
        "记录最多 {limit} 个字。",
        "The note may have at most {limit} characters.",
    ),
    "outcome.invalid": (
        "请选择结果：达成协议、调解不成或撤回。",
        "Choose an outcome: agreement, failure or withdrawal.",
    ),
    "agreement_amount.invalid": (
        "请填写协议金额（元），不小于 0，最多两位小数，例如 8500、12,600 或 ¥8,500.50。",
        "Give the agreed amount in yuan: at least 0, at most two decimals, "
        "e.g. 8500, 12,600 or ¥8,500.50.",
    ),
    "payment_due_on.invalid": (
        "请填写协议约定的支付日期（年-月-日），不能早于今天。",
        "Give the payment date agreed (year-month-day), not before today.",
    ),
    "case.closed": (
        "此案已结案，不能再修改。",
        "This case is closed and can no longer change.",
    ),
    "case.already_accepted": ("此案已受理。", "This case has already been accepted."),
    "case.not_accepted": ("请先受理此案。", "Accept the case first."),
    "case.not_handler": (
        "只有承办此案的调解组织的调解员可以处理。",
        "Only mediators of the committee handling this case may act on it.",
    ),
    "case.not_found": ("没有这个案件。", "No such case."),
    # --- tracking -------------------------------------------------------------------------
    "tracking.refused": (
        "查询码或密码不正确，或尝试次数过多。请核对后稍等几分钟再试。",
        "The tracking code or PIN is not correct, or there were too many attempts. Check them "
        "and try again in a few minutes.",
    ),
    # --- routing when no mediation body is on record --------------------------------------
    "routing.unrouted": (
        "{county}暂无登记的调解组织可以受理，您的投诉由{county}劳动保障监察机构处理。",
        "No mediation body is on record for {county}; the labour inspectors of {county} "
        "handle your complaint.",
    ),
}


def texts(key: str, **values: object) -> Texts:
    """The message in both languages, with `values` filled in."""
    zh, en = MESSAGES[key]
    return {"zh-CN": zh.format(**values), "en": en.format(**values)}
