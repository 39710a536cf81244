# ruff: noqa: E501  (a table of texts: one column per line reads better than wrapped)
"""The import files' columns in words a person reads: a Chinese and English heading and
meaning for every column of the data contract (shared/contract/data-contract.md §1 and §3,
v1 and v2), how each kind of value is written, and what each choice means.

The downloadable templates (templates.py) and the import format page use them; the reader
recognises the templates' row of Chinese headings under the column keys and skips it.
"""

from dataclasses import dataclass

from service.imports.spec import BY_NAME, Column, FileSpec, Kind


@dataclass(frozen=True)
class Words:
    zh: str
    en: str


# A column's heading and meaning, by column name; FILE_COLUMNS below overrides them for a
# name that means something else in one file.
COLUMNS: dict[str, tuple[Words, Words]] = {
    "uscc": (Words("统一社会信用代码", "USCC"), Words("单位的统一社会信用代码", "The unified social credit code")),
    "name": (Words("名称", "Name"), Words("登记名称", "Registered name")),
    "industry_code": (
        Words("行业代码", "Industry code"),
        Words("国民经济行业分类代码（GB/T 4754-2017），2位、3位或4位，如 47、481、4811",
              "GB/T 4754-2017 code: 2-digit division, 3-digit group or 4-digit class (47, 481, 4811)"),
    ),
    "county_code": (
        Words("区县代码", "County code"),
        Words("6位区县代码（GB/T 2260），如 330302 为鹿城区",
              "6-digit GB/T 2260 county code, e.g. 330302 for Lucheng"),
    ),
    "town": (Words("乡镇（街道）", "Town or street"), Words("该区县内的乡镇或街道全称，如 七都街道", "Full name of the township or street within that county")),
    "leased_premises": (
        Words("租赁场地经营", "Leased premises"),
        Words("在租赁场地经营填 true，否则 false（默认）", "true if the business operates on leased premises; default false"),
    ),
    "contact_email": (Words("联系邮箱", "Contact e-mail"), Words("接收通知的电子邮箱", "Address for notices")),
    "dishonesty_listed": (
        Words("列入失信名单", "On the dishonesty list"),
        Words("被列入拖欠农民工工资失信联合惩戒名单填 true（扩展列）", "true if listed for wage arrears (extension)"),
    ),
    "real_name_management": (
        Words("实名制管理", "Real-name management"),
        Words("实行农民工实名制管理填 true（扩展列）", "true if workers are managed under the real-name system (extension)"),
    ),
    "dedicated_wage_account": (
        Words("农民工工资专用账户", "Dedicated wage account"),
        Words("已开设农民工工资专用账户填 true（扩展列）", "true if a dedicated wage account is open (extension)"),
    ),
    "service_office": (
        Words("流动人口服务管理机构", "Service office"),
        Words("已设立流动人口服务管理机构填 yes；空白表示未知，视为没有（第2版）",
              "yes when a migrant-population service office is set up; empty = not known = no (v2)"),
    ),
    "liaison_name": (
        Words("联络员姓名", "Liaison"),
        Words("流动人口事务联络员姓名（第2版）", "The named liaison for migrant-population matters (v2)"),
    ),
    "id_number": (Words("身份证号码", "ID number"), Words("18位居民身份证号码，最后一位可为 X", "18-character resident identity number; the last may be X")),
    "phone": (Words("手机号码", "Phone"), Words("联系电话", "Phone number")),
    "hukou_county_code": (
        Words("户籍区县代码", "Hukou county code"),
        Words("户籍所在区县的6位代码；在用人单位所在市以外即为流动人口",
              "6-digit code of the household-registration county; outside the employer's city = migrant"),
    ),
    "project_code": (Words("项目编号", "Project code"), Words("工程项目登记编号", "Project registration code")),
    "contractor_uscc": (
        Words("施工总承包单位信用代码", "Contractor USCC"),
        Words("施工总承包单位的统一社会信用代码", "USCC of the general contractor"),
    ),
    "contract_value": (Words("合同价款（元）", "Contract value (CNY)"), Words("施工合同价款，单位元", "Construction contract value in CNY")),
    "contract_signed_date": (Words("合同签订日期", "Contract signed"), Words("施工合同签订日期", "Date the construction contract was signed")),
    "permit_date": (Words("施工许可日期", "Permit date"), Words("施工许可证核发日期", "Date the construction permit was issued")),
    "completion_date": (Words("竣工日期", "Completion date"), Words("工程竣工日期", "Date the works were completed")),
    "employer_uscc": (Words("用人单位信用代码", "Employer USCC"), Words("用人单位的统一社会信用代码", "USCC of the employer")),
    "worker_id_number": (Words("劳动者身份证号码", "Worker ID number"), Words("劳动者的居民身份证号码", "The worker's resident identity number")),
    "start_date": (Words("开始日期", "Start date"), Words("开始日期", "First day")),
    "signed_date": (Words("书面合同签订日期", "Signed date"), Words("书面劳动合同签订日期；空白表示没有书面合同", "Date the written contract was signed; empty = no written contract")),
    "term_type": (Words("合同期限类型", "Term type"), Words("劳动合同期限类型", "Kind of contract term")),
    "end_date": (Words("结束日期", "End date"), Words("结束日期", "Last day")),
    "employment_type": (Words("用工形式", "Employment type"), Words("全日制（默认）或非全日制", "Full-time (default) or part-time")),
    "probation_end": (Words("试用期结束日", "Probation end"), Words("试用期最后一天；空白表示无试用期", "Last day of probation; empty = none")),
    "monthly_wage": (
        Words("月工资（元）", "Monthly wage (CNY)"),
        Words("约定月工资；非全日制可填约定小时工资×174，或改填小时工资",
              "Agreed monthly wage (part-time: agreed hourly wage × 174, or fill hourly_wage)"),
    ),
    "hourly_wage": (Words("小时工资（元）", "Hourly wage (CNY)"), Words("非全日制约定的小时工资", "Agreed hourly wage for part-time work")),
    "probation_wage": (Words("试用期月工资（元）", "Probation wage (CNY)"), Words("试用期约定月工资", "Agreed monthly wage during probation")),
    "pay_day": (
        Words("工资支付日", "Pay day"),
        Words("每月几号前支付上月工资（1–31）；超过当月天数按月末", "Day of the month (1–31) by which last month's wages are due; past the month's end = its last day"),
    ),
    "left_date": (Words("离职日期", "Left on"), Words("劳动关系结束时的最后工作日", "Last day of work when the relation has ended")),
    "period": (Words("工资月份", "Period"), Words("工作的月份，如 2026-10", "The month worked, YYYY-MM")),
    "amount_due": (Words("应发工资（元）", "Amount due (CNY)"), Words("正常工作时间的应发工资（不含加班费）", "Gross wage owed for normal hours (no overtime premiums)")),
    "amount_paid": (Words("实发工资（元）", "Amount paid (CNY)"), Words("该月份至今实际支付给劳动者的金额", "Amount actually paid for the period so far")),
    "paid_date": (Words("支付日期", "Paid on"), Words("该月份最后一次支付的日期；未支付则空白", "Date of the last payment for the period; empty if nothing was paid")),
    "hours_worked": (Words("正常工作小时数", "Hours worked"), Words("该月正常工作时间的小时数", "Normal hours worked in the period")),
    "event": (Words("事项", "Event"), Words("保证金台账事项", "What happened to the deposit")),
    "date": (Words("日期", "Date"), Words("事项发生日期", "Date of the event")),
    "amount": (Words("金额（元）", "Amount (CNY)"), Words("正数，单位元", "Positive, in CNY")),
    "reference": (Words("银行凭证号", "Bank reference"), Words("银行回单号或保函编号", "Bank receipt or guarantee number")),
    "expiry_date": (Words("保函到期日", "Expiry date"), Words("银行保函有效期的最后一天（仅保函）", "For a guarantee: the last day the letter is valid")),
    "code": (Words("调解组织编号", "Committee code"), Words("调解组织的编号", "The committee's code")),
    "kind": (Words("调解组织类型", "Committee kind"), Words("调解组织的类型", "Kind of mediation body")),
    "year": (Words("年度", "Year"), Words("人员配备所属年度", "The year the staffing applies to")),
    "coordinators": (Words("协管员人数", "Coordinators"), Words("在岗流动人口协管员人数", "Migrant-population coordinators in post")),
    "registered_migrants": (
        Words("上年度登记流动人口", "Registered migrants"),
        Words("上年度在本区县登记的流动人口数", "Migrants registered in the county in the previous year"),
    ),
}  # fmt: skip

FILE_COLUMNS: dict[tuple[str, str], tuple[Words, Words]] = {
    ("employers", "name"): (Words("单位名称", "Employer name"), Words("用人单位登记名称", "Registered name")),
    ("employers", "county_code"): (
        Words("经营所在区县代码", "County code"),
        Words("用人单位经营所在区县的6位代码，如 330302", "6-digit code of the county where the employer operates"),
    ),
    ("workers", "name"): (Words("姓名", "Name"), Words("劳动者姓名", "The worker's name")),
    ("projects", "name"): (Words("项目名称", "Project name"), Words("工程项目名称", "Name of the project")),
    ("projects", "county_code"): (Words("项目所在区县代码", "County code"), Words("工程所在区县的6位代码", "6-digit code of the county where the works are")),
    ("projects", "industry_code"): (Words("工程行业代码", "Industry code"), Words("工程的国民经济行业分类代码（房屋建筑、道路、水利、电力等）", "GB/T 4754-2017 code of the works (building, road, water, power …)")),
    ("contracts", "start_date"): (Words("用工起始日", "Start date"), Words("用工之日（第一天上班）", "First day of work")),
    ("contracts", "end_date"): (Words("合同终止日", "End date"), Words("固定期限合同约定的终止日", "Agreed end of a fixed term")),
    ("contracts", "project_code"): (Words("所在项目编号", "Project code"), Words("劳动者所在的工程项目", "The construction project the worker is employed on")),
    ("deposit_events", "employer_uscc"): (Words("存储单位信用代码", "Depositor USCC"), Words("存储保证金的单位", "The depositor")),
    ("deposit_events", "project_code"): (Words("项目编号", "Project code"), Words("对应的工程项目；用人单位层面的保证金（租赁场地经营）空白", "The project; empty for an employer-level deposit (leased premises)")),
    ("insurance", "worker_id_number"): (
        Words("参保人身份证号码", "Worker ID number"),
        Words("参保劳动者；空白且填项目编号 = 按项目参保，覆盖该项目全部劳动者", "The insured worker; empty with a project_code = a project-wide policy"),
    ),
    ("insurance", "start_date"): (Words("参保起始日", "Start date"), Words("保障开始的第一天", "First covered day")),
    ("insurance", "end_date"): (Words("参保终止日", "End date"), Words("保障的最后一天；空白表示仍在保", "Last covered day; empty = still covered")),
    ("mediation_committees", "name"): (Words("调解组织名称", "Committee name"), Words("调解组织名称", "Name of the mediation body")),
    ("mediation_committees", "employer_uscc"): (Words("所属单位信用代码", "Employer USCC"), Words("企业劳动争议调解委员会所属的用人单位", "The employer of an enterprise committee")),
    ("coordinators", "county_code"): (Words("区县代码", "County code"), Words("区县的6位代码", "6-digit county code")),
}  # fmt: skip

FILES: dict[str, Words] = {
    "employers": Words("用人单位", "Employers"),
    "workers": Words("劳动者", "Workers"),
    "projects": Words("工程项目", "Construction projects"),
    "contracts": Words("劳动合同", "Employment contracts"),
    "payroll": Words("工资发放", "Payroll"),
    "deposit_events": Words("工资保证金台账", "Wage-guarantee deposit ledger"),
    "insurance": Words("工伤保险参保", "Work-injury insurance"),
    "mediation_committees": Words("调解组织", "Mediation committees"),
    "coordinators": Words("流动人口协管员配备", "Migrant-population coordinators"),
}

KINDS: dict[Kind, Words] = {
    Kind.text: Words("文字", "text"),
    Kind.uscc: Words("18位统一社会信用代码", "18-character USCC"),
    Kind.id_number: Words("18位身份证号码", "18-character ID number"),
    Kind.date: Words("日期，如 2026-11-30", "date YYYY-MM-DD, e.g. 2026-11-30"),
    Kind.period: Words("月份，如 2026-10", "month YYYY-MM, e.g. 2026-10"),
    Kind.money: Words(
        "金额（元），最多两位小数，如 12600.00", "CNY, at most two decimals, e.g. 12600.00"
    ),
    Kind.positive_money: Words(
        "大于0的金额（元），最多两位小数", "CNY above 0, at most two decimals"
    ),
    Kind.hours: Words("小时数", "hours"),
    Kind.boolean: Words("true 或 false", "true or false"),
    Kind.enum: Words("以下之一", "one of"),
    Kind.day_of_month: Words("1–31 的整数", "a whole number 1–31"),
    Kind.county: Words("6位区县代码", "6-digit county code"),
    Kind.region_code: Words("6位行政区划代码", "6-digit region code"),
    Kind.industry: Words("2–4位行业代码", "2- to 4-digit industry code"),
    Kind.email: Words("电子邮箱", "e-mail address"),
    Kind.phone: Words("电话号码", "phone number"),
    Kind.count: Words("不小于0的整数", "a whole number, not negative"),
    Kind.year: Words("4位年份，如 2026", "4-digit year, e.g. 2026"),
}

CHOICES: dict[str, Words] = {
    "fixed": Words("固定期限", "fixed term"),
    "open_ended": Words("无固定期限", "open-ended"),
    "task": Words("以完成一定工作任务为期限", "until a task is done"),
    "full_time": Words("全日制", "full-time"),
    "part_time": Words("非全日制", "part-time"),
    "deposit": Words("存入现金", "cash deposit"),
    "guarantee": Words("银行保函", "bank guarantee"),
    "drawdown": Words("动用（支付欠薪）", "drawdown (paid out for arrears)"),
    "replenish": Words("补足", "replenishment"),
    "return": Words("返还", "return"),
    "enterprise": Words("企业劳动争议调解委员会", "enterprise committee"),
    "people": Words("人民调解委员会", "people's mediation committee"),
    "county_centre": Words("区县调解中心", "county mediation centre"),
    "yes": Words("有", "yes"),
    "no": Words("没有（按空白处理）", "no (read as empty)"),
}


@dataclass(frozen=True)
class ColumnDoc:
    """One column as a person reads it."""

    name: str  # the contract's key, written in row 1
    heading: Words
    meaning: Words
    required: bool
    kind: Words
    choices: tuple[tuple[str, Words], ...]
    default: str | None


@dataclass(frozen=True)
class FileDoc:
    name: str
    title: Words
    key: tuple[str, ...]
    columns: tuple[ColumnDoc, ...]


def _column(spec: FileSpec, column: Column) -> ColumnDoc:
    heading, meaning = FILE_COLUMNS.get((spec.name, column.name)) or COLUMNS[column.name]
    return ColumnDoc(
        name=column.name,
        heading=heading,
        meaning=meaning,
        required=column.required,
        kind=KINDS[column.kind],
        choices=tuple((choice, CHOICES[choice]) for choice in column.choices),
        default=column.default,
    )


def describe(name: str) -> FileDoc:
    """An import file's columns in words (KeyError for a file the contract does not have)."""
    spec = BY_NAME[name]
    return FileDoc(
        name=spec.name,
        title=FILES[spec.name],
        key=spec.key,
        columns=tuple(_column(spec, column) for column in spec.columns),
    )


def headings_zh(spec: FileSpec) -> dict[str, str]:
    """Column key -> its Chinese heading, as the template's second row has them."""
    return {
        column.name: describe(spec.name).columns[i].heading.zh
        for i, column in enumerate(spec.columns)
    }


def column_heading(file: str, column: str, language: str) -> str:
    """A column's heading in `language` ("工资月份" for payroll.csv's `period`), for the error
    report; the key itself for a column the contract does not know (an unknown column)."""
    name = file.rsplit(".", 1)[0]
    words = FILE_COLUMNS.get((name, column)) or COLUMNS.get(column)
    if words is None:
        return column
    return words[0].en if language == "en" else words[0].zh
