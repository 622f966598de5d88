"""The import page: upload, the whole validation report, then apply or cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fupin.core.models import AuditEvent
from fupin.registry.models import Household, Member
from fupin.web.imports import ImportRefused, import_apply, upload_dir
from tests.registry.factories import family, write_csv
from tests.targeting.conftest import OTHER_VILLAGE, VILLAGE, Posts, posts  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def as_post(posts: Posts, name: str) -> Client:  # noqa: F811
    return posts.client(name)


def upload(client: Client, path: Path, year: int = 2016) -> Any:
    content = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    return client.post("/imports/", {"action": "upload", "year": str(year), "file": content})


def token_of(answer: Any) -> str:
    return str(answer.context["upload"].token)


def test_the_page_is_for_the_keepers_of_the_register(posts: Posts) -> None:  # noqa: F811
    page = as_post(posts, "cadre").get("/imports/")
    assert page.status_code == 200 and 'type="file"' in page.content.decode()
    refused = as_post(posts, "inspector").get("/imports/")
    assert refused.status_code == 403 and 'type="file"' not in refused.content.decode()
    assert Client().get("/imports/").status_code == 302


def test_a_file_with_an_error_shows_the_report_and_writes_nothing(
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    # given a file whose second household's head has a wage that is not a number
    rows = family("H1") + family("H2", seed=1)
    rows[4]["wage_income"] = "很多"
    path = write_csv(tmp_path / "村里.csv", rows)
    client = as_post(posts, "cadre")
    # when it is uploaded
    answer = upload(client, path)
    # then the report names the file, the row and the column, and nothing is written
    assert answer.status_code == 200
    found = {(row["file"], row["row"], row["column"], row["code"], row["value"])
             for row in answer.context["issues"]}  # fmt: skip
    assert ("村里.csv", 6, "wage_income", "value.not_integer", "很多") in found
    text = answer.content.decode()
    assert "村里.csv" in text and "wage_income" in text and "应为整数" in text
    assert 'name="apply_valid"' in text  # all-or-nothing, unless the valid ones are asked for
    assert Household.objects.count() == 0
    # and the whole report downloads as CSV
    report = client.get("/imports/report.csv", {"token": token_of(answer)})
    assert report.status_code == 200
    assert "value.not_integer" in b"".join(report.streaming_content).decode("utf-8-sig")
    # and applying the whole file is refused by the importer: still nothing written
    again = client.post("/imports/", {"action": "apply", "token": token_of(answer)})
    assert again.status_code == 400 and Household.objects.count() == 0


def test_a_valid_file_is_applied_and_the_upload_removed(
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    client = as_post(posts, "cadre")
    answer = upload(client, write_csv(tmp_path / "ok.csv", family("H1") + family("H2", seed=1)))
    assert answer.context["can_apply"] and Household.objects.count() == 0
    token = token_of(answer)
    applied = client.post("/imports/", {"action": "apply", "token": token})
    assert applied.status_code == 200 and "导入完成" in applied.content.decode()
    assert Household.objects.count() == 2 and Member.objects.count() == 8
    assert AuditEvent.objects.get(action="registry.bulk_write").actor_label == "cadre"
    assert not list(upload_dir().glob(f"{token}*"))
    assert client.post("/imports/", {"action": "apply", "token": token}).status_code == 404


def test_the_valid_households_only_when_asked(posts: Posts, tmp_path: Path) -> None:  # noqa: F811
    rows = family("H1") + family("H2", seed=1)
    rows[4]["wage_income"] = "很多"
    client = as_post(posts, "cadre")
    token = token_of(upload(client, write_csv(tmp_path / "part.csv", rows)))
    client.post("/imports/", {"action": "apply", "token": token, "apply_valid": "yes"})
    assert list(Household.objects.values_list("household_no", flat=True)) == ["H1"]


def test_a_file_touching_another_village_is_refused_whole(
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    # given a file with a household of the neighbouring village, uploaded by this village
    rows = family("H1") + family("H2", seed=1, village=OTHER_VILLAGE)
    client = as_post(posts, "cadre")
    answer = upload(client, write_csv(tmp_path / "two.csv", rows))
    # then the report names the village, and no apply is offered
    assert answer.context["scope_refused"] and not answer.context["can_apply"]
    issue = answer.context["issues"][0]
    assert (issue["row"], issue["column"], issue["value"]) == (6, "village_code", OTHER_VILLAGE)
    assert 'value="apply"' not in answer.content.decode()
    # and a forged apply is refused, writing nothing
    forged = client.post("/imports/", {"action": "apply", "token": token_of(answer)})
    assert forged.status_code == 403 and Household.objects.count() == 0
    # while the township above both villages may apply it
    township = as_post(posts, "township")
    token = token_of(upload(township, write_csv(tmp_path / "two.csv", rows)))
    township.post("/imports/", {"action": "apply", "token": token})
    assert Household.objects.count() == 2


def test_a_household_registered_elsewhere_cannot_be_moved_in(
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    as_post(posts, "township")  # the township registers H1 in the other village first
    user = posts.actors["township"].user
    assert user is not None
    path = write_csv(tmp_path / "a.csv", family("H1", village=OTHER_VILLAGE))
    token = token_of(upload(as_post(posts, "township"), path))
    import_apply(token=token, user_id=user.pk)
    # when the village cadre uploads H1 as a household of its own village
    cadre = posts.actors["cadre"].user
    assert cadre is not None
    answer = upload(as_post(posts, "cadre"), write_csv(tmp_path / "b.csv", family("H1")))
    # then it is refused: the household is kept by the other village
    assert answer.context["scope_refused"]
    with pytest.raises(ImportRefused):
        import_apply(token=token_of(answer), user_id=cadre.pk)


def test_cancel_removes_the_upload_and_others_cannot_use_it(
    posts: Posts,  # noqa: F811
    tmp_path: Path,
) -> None:
    client = as_post(posts, "cadre")
    token = token_of(upload(client, write_csv(tmp_path / "ok.csv", family("H1"))))
    other = as_post(posts, "secretary")
    assert other.post("/imports/", {"action": "apply", "token": token}).status_code == 404
    assert other.get("/imports/report.csv", {"token": "../../etc/passwd"}).status_code == 404
    assert client.post("/imports/", {"action": "cancel", "token": token}).status_code == 302
    assert not list(upload_dir().glob(f"{token}*")) and Household.objects.count() == 0


def test_a_large_file_is_applied_by_a_background_job(
    posts: Posts,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fupin.jobs.models import Job
    from fupin.jobs.worker import job_run
    from fupin.web import imports

    # given a file the page treats as large
    monkeypatch.setattr(imports, "BACKGROUND_BYTES", 0)
    client = as_post(posts, "cadre")
    token = token_of(upload(client, write_csv(tmp_path / "京舟村.csv", family("H1"))))
    # when it is applied
    answer = client.post("/imports/", {"action": "apply", "token": token})
    # then a job over the file's village takes it, the page follows the job
    job = Job.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.region_code, job.params["year"]) == ("household_import", VILLAGE, 2016)
    assert Household.objects.count() == 0 and not list(upload_dir().glob(f"{token}*"))
    # and the job, once run, writes the households
    assert job_run(job_id=job.pk) == "succeeded"
    assert Household.objects.filter(household_no="H1", village_id=VILLAGE).exists()
