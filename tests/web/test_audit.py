"""The audit log page: for inspectors over their region and the national office."""

from __future__ import annotations

import pytest
from django.test import Client

from fupin.core.audit import EventSpec, audit_record
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db


def _events(posts: Posts) -> None:  # noqa: F811
    for region, action in ((VILLAGE, "household.read_full"), ("110101001001", "household.status"),
                           (OTHER_VILLAGE, "case.step")):  # fmt: skip
        audit_record(actor=posts.cadre, spec=EventSpec(action=action, object_type="household",
                                                       object_id="7", region_code=region))  # fmt: skip


def listed(client: Client, query: str = "") -> list[tuple[str, str]]:
    page = client.get(f"/audit/{query}")
    assert page.status_code == 200
    return [(event.action, event.region_code) for event in page.context["page"].rows]


def test_the_inspector_reads_the_log_of_its_region(posts: Posts) -> None:  # noqa: F811
    _events(posts)
    inspector = posts.client("inspector")  # over 522727
    seen = listed(inspector)
    assert ("household.read_full", VILLAGE) in seen and ("case.step", OTHER_VILLAGE) in seen
    assert all(region.startswith("522727") for _, region in seen)
    assert listed(inspector, "?action=case.") == [("case.step", OTHER_VILLAGE)]
    assert listed(inspector, f"?region={VILLAGE}&action=household") == [
        ("household.read_full", VILLAGE)
    ]
    national = listed(posts.client("national"))
    assert ("household.status", "110101001001") in national
    assert "审计日志" in inspector.get("/cases/").content.decode()  # in the menu


def test_other_posts_and_anonymous_do_not_read_it(posts: Posts) -> None:  # noqa: F811
    _events(posts)
    for name in ("county", "cadre", "province"):
        client = posts.client(name)
        refused = client.get("/audit/")
        assert refused.status_code == 403 and "household.read_full" not in refused.content.decode()
        assert 'href="/audit/"' not in client.get("/cases/").content.decode()
    assert Client().get("/audit/").status_code == 302
