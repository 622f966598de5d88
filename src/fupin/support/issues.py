"""The Chinese of every problem the ledger's checks name, by its stable code.

The checks in `support.services` give each problem an English message; a department reads
the upload page in Chinese, so each code has its Chinese here as well. `{}` takes the
allowed values or the limit where the message needs them.
"""

from __future__ import annotations

ISSUE_ZH: dict[str, str] = {
    "column_missing": "缺少这一列",
    "household_no.required": "请填写户编号",
    "household_no.unknown": "没有这个户编号的农户",
    "household_no.not_on_register": "帮扶措施只为在册的贫困户（含过渡期内已脱贫户）登记",
    "household_no.outside_posts": "该户不在您的职责范围内",
    "year.invalid": "请填写年度，如 2018",
    "year.out_of_range": "年度应在 {} 之间",
    "given_on.invalid": "日期格式为 YYYY-MM-DD",
    "given_on.in_future": "措施应在实施后登记，日期不能晚于今天",
    "given_on.other_year": "日期应在措施所属年度内",
    "measure_type.unknown": "帮扶措施类型应为：{}",
    "form.unknown": "形式应为：{}",
    "value.negative": "金额不能为负数",
    "value.invalid": "金额以元为单位，最多两位小数、十位整数",
    "provider_kind.unknown": "帮扶主体类型应为：{}",
    "provider_kind.department_only": "行业部门只能登记本部门提供的措施（帮扶主体类型为行业部门）",
    "description.required": "请填写措施内容",
    "description.too_long": "最多 {} 个字",
    "provider_name.required": "请填写帮扶单位",
    "provider_name.too_long": "最多 {} 个字",
    "fund.too_long": "最多 {} 个字",
    "project.too_long": "最多 {} 个字",
}
