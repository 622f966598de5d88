"""The clients of `bench.bench_web`: a county officer reading households and dashboards.

Read by locust in a process of its own; the plan (session, token, ids) comes from the file
FUPIN_BENCH_PLAN names. With FUPIN_BENCH_THINK=1 each client reads a page for 0.5-1.5 s
before the next; otherwise it asks again at once (closed loop).
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, constant, task

PLAN = json.loads(Path(os.environ["FUPIN_BENCH_PLAN"]).read_text())


class CountyOfficer(HttpUser):
    """Opens households (page and API) and the county's and townships' dashboards."""

    wait_time = between(0.5, 1.5) if os.environ.get("FUPIN_BENCH_THINK") == "1" else constant(0)

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", PLAN["session"])
        self.token = {"Authorization": f"Bearer {PLAN['token']}"}

    @task(3)
    def household_page(self) -> None:
        household = random.choice(PLAN["households"])
        self.client.get(f"/households/{household}/", name="household page")

    @task(3)
    def household_api(self) -> None:
        household = random.choice(PLAN["households"])
        self.client.get(f"/api/v1/households/{household}", headers=self.token, name="household API")

    @task(2)
    def dashboard(self) -> None:
        region = random.choice([PLAN["county"], *PLAN["townships"]])
        self.client.get(f"/region/{region}/?year={PLAN['year']}", name="dashboard")
