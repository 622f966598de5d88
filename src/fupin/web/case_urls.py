"""The case, notice, import and department pages; included by `fupin.web.urls` (no app_name
here: the names resolve in the `web` namespace, e.g. "web:case_detail")."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from fupin.web import cases, department, imports

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("cases/<int:case_id>/notice.pdf", cases.case_notice_pdf, name="case_notice_pdf"),
    path("notices/<str:code>/", cases.village_notices, name="village_notices"),
    path("imports/", imports.import_page, name="import_page"),
    path("imports/report.csv", imports.import_report_csv, name="import_report_csv"),
    path("department/", department.department_work_list, name="department_work_list"),
]
