"""The API mounted as the project mounts it (`fupin.urls`), without the pages, so that the
API's tests do not depend on the web app's views."""

from __future__ import annotations

from django.urls import path

from fupin.api import api

urlpatterns = [path("api/", api.urls)]
