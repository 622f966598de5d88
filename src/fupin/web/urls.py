"""The pages (Django templates + htmx).

The dashboard of the nation is `/region/`, of any other region `/region/<code>/`; `/`
sends the user to the widest region of their grants. The case pages, notices, imports and
the department's work list come from `web.case_urls`.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from fupin.web.views import audit, dashboard, households

app_name = "web"
urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", dashboard.home, name="home"),
    path("region/", dashboard.region, name="nation"),
    path("region/<str:code>/", dashboard.region, name="region"),
    path("households/", households.household_list, name="households"),
    path("households/<int:household_id>/", households.household_detail, name="household"),
    path("audit/", audit.audit_log, name="audit"),
    path("", include("fupin.web.case_urls")),
]
