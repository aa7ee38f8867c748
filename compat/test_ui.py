"""The web UI in a real browser: Playwright for Python driving Debian's chromium (STEWARD_TEST_CHROMIUM; nothing
downloads a browser), against a server with authentication on. It runs on SQLite only: the pages read through the
same services as the API, which this suite drives on both engines, and the one thing the UI stores, its sign-in
sessions, is tested on both by the Swift suite (UIRouteTests). Each role does its work
through the pages: a reviewer approves, a contributor's promotion is refused with every missing control listed,
an author cannot approve their own version; every page loads with no console error and no request outside the
server, axe-core finds no serious or critical accessibility violation, and a screenshot of each page is kept
(STEWARD_UI_SCREENSHOTS, default .build/ui-screenshots)."""

import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from urllib.parse import urlparse

import mlflow
import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from conftest import ROOT, Backend
from loopback import LoopbackServer
from test_governance import CREDIT_GATE, FEATURES, HIGH_CONTROLS, controls, create_system, evaluate, monitor, ok, start_governed, train_and_register

CHROMIUM = os.environ.get("STEWARD_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("STEWARD_UI_SCREENSHOTS", str(ROOT / ".build" / "ui-screenshots")))


class ScoringModel(LoopbackServer):
    """A model server speaking MLflow's pyfunc protocol: a score for each row."""

    def answer(self, path, headers, body):
        rows = json.loads(body)["dataframe_records"]
        return self.json_reply({"predictions": [0.25 + 0.5 * (index % 2) for index, _ in enumerate(rows)]})


@pytest.fixture(scope="module")
def governed():
    backend = Backend("sqlite")
    server = start_governed(backend, "ui", extra_args=["--analysis-interval", "0", "--allow-endpoint-host", "127.0.0.1"])
    yield server
    code = server.server.stop()
    backend.cleanup()
    assert code == 0, f"steward did not shut down cleanly (exit {code}):\n{server.server.log()}"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


class Visit:
    """A browser context signed in as one user, recording console errors and every request it makes."""

    def __init__(self, browser, governed, user):
        self.base = governed.server.url
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.errors = []
        self.requests = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        if user:
            self.page.goto(self.base + "/ui/sign-in")
            self.page.fill("input[name=token]", governed.tokens[user])
            self.page.click("button[type=submit]")
            assert self.page.url == self.base + "/ui/", self.page.url

    def open(self, path):
        response = self.page.goto(self.base + path)
        assert response.status == 200, f"{path}: {response.status} {self.page.content()[:2000]}"
        return self.page

    def close(self):
        self.context.close()

    def outside(self):
        server = urlparse(self.base).netloc
        return [url for url in self.requests if urlparse(url).netloc != server]


def check_page(visit, path, name):
    """Opens a page, saves its screenshot, and checks it for console errors and accessibility."""
    page = visit.open(path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    serious = [(v["id"], v["impact"], v["help"]) for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{path}: {serious}"
    return page


@pytest.fixture(scope="module")
def story(governed, request):
    """A high-tier system whose model carol (contributor) registered as version 1 and rita (reviewer) as version 2,
    each with an approval asked for production, and a run with a metric history."""
    unique = os.urandom(4).hex()
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", governed.server.url)
    mlflow.set_tracking_uri(governed.server.url)
    name = f"ui-credit-{unique}"

    def as_user(user):
        monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", user)
        monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", governed.tokens[user])

    as_user("carol")
    experiment = mlflow.set_experiment(f"ui-<script>-{unique}")
    with mlflow.start_run() as run:
        for step in range(50):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_param("C", "1.0")
    assert train_and_register(name, 1.0) == "1"
    system = create_system(governed, "carol", f"ui-credit-scoring-{unique}", model=name)
    as_user("rita")
    assert train_and_register(name, 0.5) == "2"
    prompt = f"ui-greeting-{unique}"
    mlflow.genai.register_prompt(name=prompt, template="Hello {{ name }}.\nAnswer briefly.")
    mlflow.genai.register_prompt(name=prompt, template="Hello {{ name }}.\nAnswer in one sentence.\nBe kind.")
    ok(governed.call("carol", "POST", f"/api/v1/systems/{system['id']}/models", json={"name": prompt, "kind": "prompt"}))
    # A reference profile and alert rules, a gate and an evaluation of version 1, and an incident.
    monitor(governed, system["id"])
    ok(governed.call("rita", "PUT", f"/api/v1/systems/{system['id']}/gate", data=CREDIT_GATE))
    as_user("carol")
    evaluate(governed, "carol", system["id"], name, "1")
    # Both versions passed the gate, so each may take part of the traffic: an A/B test in front of a model server,
    # with 40 requests through Steward's serving route.
    evaluate(governed, "carol", system["id"], name, "2")
    model_server = ScoringModel()
    endpoint = model_server.base_url + "/invocations"
    deployment = ok(governed.call("carol", "POST", f"/api/v1/systems/{system['id']}/deployments", json={
        "mode": "ab", "arms": [{"model": name, "version": version, "endpoint": endpoint, "weight": 50} for version in ("1", "2")]}))["deployment"]
    for unit in range(40):
        served = governed.call("carol", "POST", f"/serve/{system['id']}/invocations", headers={"X-Steward-Unit": f"customer-{unit}"},
                               json={"dataframe_records": [{"income": 40.0 + unit, "age": 30.0, "sex": "f"}]})
        assert served.status_code == 200, served.text
    ok(governed.call("carol", "POST", f"/api/v1/systems/{system['id']}/incidents",
                     json={"title": "Approval rate <dropped>", "severity": "HIGH", "description": "-12% in a day"}))
    # Three days of traffic, an hour apart, whose incomes drift upwards: what the system page draws.
    now = int(time.time() * 1000)
    events = "\n".join(json.dumps({"request_id": f"ui-{i}", "time": now - (i % 72) * 3_600_000 - 1000, "latency_ms": 20 + i % 37,
                                   "cost_usd": 0.001, "error": i % 40 == 0, "safety_flags": ["pii"] if i % 25 == 0 else [],
                                   "features": {"income": float(FEATURES[i % len(FEATURES)][0]) + (72 - i % 72) / 72, "age": float(FEATURES[i % len(FEATURES)][1]),
                                                "sex": "fm"[i % 2]}})
                       for i in range(1500))
    assert ok(governed.call("carol", "POST", f"/api/v1/systems/{system['id']}/events", data=events))["accepted"] == 1500
    approvals = [
        ok(governed.call("carol", "POST", f"/api/v1/systems/{system['id']}/approvals",
                         json={"model": name, "version": version, "alias": "production"}))["approval"]
        for version in ("1", "2")
    ]
    yield {"system": system, "model": name, "prompt": prompt, "approvals": approvals, "experiment": experiment.experiment_id, "run": run.info.run_id,
           "deployment": deployment}
    model_server.close()
    monkeypatch.undo()


def test_sign_in_is_required_and_a_run_link_lands_on_the_run(browser, governed, story):
    visit = Visit(browser, governed, None)
    try:
        # The link the mlflow client prints: the fragment never reaches the server; the page's script follows it.
        visit.page.goto(f"{governed.server.url}/#/experiments/{story['experiment']}/runs/{story['run']}")
        visit.page.wait_for_url("**/ui/sign-in?next=**")
        visit.page.fill("input[name=token]", "stw_not-a-token")
        visit.page.click("button[type=submit]")
        assert "not valid" in visit.page.inner_text(".error")
        # The refusal is a 401, which the browser's console reports; nothing else may be there.
        assert [error for error in visit.errors if "401" not in error] == []
        visit.errors.clear()
        visit.page.fill("input[name=token]", governed.tokens["vic"])
        visit.page.click("button[type=submit]")
        assert visit.page.url.endswith(f"/ui/experiments/{story['experiment']}/runs/{story['run']}"), visit.page.url
        assert "loss" in visit.page.inner_text("main")
        cookie = next(c for c in visit.context.cookies() if c["name"] == "steward_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/ui"
        visit.page.click("text=Sign out")
        assert visit.page.url.endswith("/ui/sign-in")
        assert visit.page.goto(governed.server.url + "/ui/approvals").url.endswith("/ui/sign-in?next=%2Fui%2Fapprovals")
        assert visit.errors == [] and visit.outside() == []
    finally:
        visit.close()


def test_a_contributor_promotion_is_refused_with_every_missing_control(browser, governed, story):
    visit = Visit(browser, governed, "carol")
    try:
        page = visit.open(f"/ui/models/{story['model']}/versions/1")
        page.click("form[action$='/promote'] button")
        banner = page.inner_text(".error")
        missing = controls(governed, story["system"]["id"], story["model"], "1")["missing"]
        assert {"model_card", "explainability_artifact", "regulatory_review"} <= set(missing) <= HIGH_CONTROLS
        for control in missing:
            assert control in banner, banner
        assert ok(governed.call("carol", "GET", f"/api/v1/models/{story['model']}/versions/1/card"))["model_card"]
        versions = ok(governed.call("carol", "GET", "/api/2.0/mlflow/registered-models/get", params={"name": story["model"]}))
        assert versions["registered_model"].get("aliases", []) == []
        # The author of version 1 sees why they cannot approve it, and no button to try.
        row = page.locator("table", has_text="Requested").last
        assert "Only reviewers" in row.inner_text()
        # The refused promotion's page is a 403, which the console reports; nothing else may be there.
        assert [error for error in visit.errors if "403" not in error] == [] and visit.outside() == []
    finally:
        visit.close()


def test_the_author_cannot_approve_and_a_reviewer_approves(browser, governed, story):
    rita = Visit(browser, governed, "rita")
    try:
        page = rita.open(f"/ui/models/{story['model']}/versions/2")
        assert "You registered or trained this version" in page.inner_text("main")
        assert page.locator("button[value=approve]").count() == 0
        page = rita.open("/ui/approvals")
        # Version 1 waits on rita; her own version 2 does not.
        assert page.locator(f"a[href$='/versions/1']").count() == 1
        assert page.locator(f"a[href$='/versions/2']").count() == 0
        page.fill(f"form[action='/ui/approvals/{story['approvals'][0]['id']}'] input[name=comment]", "reviewed in the browser")
        page.click(f"form[action='/ui/approvals/{story['approvals'][0]['id']}'] button[value=approve]")
        assert "Approved version 1" in page.inner_text(".notice")
        approval = ok(governed.call("rita", "GET", f"/api/v1/systems/{story['system']['id']}/approvals"))["approvals"]
        decided = next(a for a in approval if a["id"] == story["approvals"][0]["id"])
        assert [(d["approver"], d["verdict"], d["comment"]) for d in decided["decisions"]] == [("rita", "approve", "reviewed in the browser")]
        # The notice shows once.
        assert rita.open("/ui/approvals").locator(".notice").count() == 0
        assert "human_review" not in controls(governed, story["system"]["id"], story["model"], "1")["missing"]
        assert rita.errors == [] and rita.outside() == []
    finally:
        rita.close()


def test_forms_need_the_session_form_token(governed, story):
    session = requests.Session()
    own = {"Origin": governed.server.url}
    response = session.post(governed.server.url + "/ui/sign-in", data={"token": governed.tokens["rita"], "next": "/ui/"}, headers=own,
                            allow_redirects=False)
    assert response.status_code == 303 and "steward_session" in session.cookies
    secret = session.cookies["steward_session"]
    form_token = hashlib.sha256(f"steward-form:{secret}".encode()).hexdigest()[:40]
    assert f'value="{form_token}"' in session.get(governed.server.url + "/ui/approvals").text
    forged = session.post(governed.server.url + f"/ui/approvals/{story['approvals'][1]['id']}", data={"decision": "approve"}, allow_redirects=False)
    assert forged.status_code == 403 and "out of date" in forged.text
    elsewhere = session.post(governed.server.url + "/ui/sign-out", data={"form_token": form_token}, headers={"Origin": "https://attacker.example"},
                             allow_redirects=False)
    assert elsewhere.status_code == 403 and "another site" in elsewhere.text
    assert session.get(governed.server.url + "/ui/", allow_redirects=False).status_code == 200
    # With its token and from this server, the form does what it says.
    signed_out = session.post(governed.server.url + "/ui/sign-out", data={"form_token": form_token}, headers=own, allow_redirects=False)
    assert signed_out.status_code == 303 and session.get(governed.server.url + "/ui/", allow_redirects=False).status_code == 303


def test_every_page_loads_cleanly_and_accessibly(browser, governed, story):
    visit = Visit(browser, governed, "cora")
    try:
        system, model = story["system"]["id"], story["model"]
        pages = {
            "register": "/ui/", "system": f"/ui/systems/{system}", "model-version": f"/ui/models/{model}/versions/1",
            "approvals": "/ui/approvals", "incidents": "/ui/incidents", "audit": "/ui/audit", "experiments": "/ui/experiments",
            "experiment": f"/ui/experiments/{story['experiment']}", "run": f"/ui/experiments/{story['experiment']}/runs/{story['run']}",
            "model": f"/ui/models/{model}", "prompt": f"/ui/models/{story['prompt']}?from=1&to=2",
            "model-card": f"/ui/models/{model}/versions/1/card", "annex-iv": f"/ui/systems/{system}/documentation",
        }
        for name, path in pages.items():
            check_page(visit, path, name)
        # Monitoring is drawn from three days of events; a chart never draws more points than its plot is wide.
        page = visit.open(f"/ui/systems/{system}")
        assert page.locator("figure svg polyline").count() >= 5
        for points in page.locator("figure svg polyline").evaluate_all("lines => lines.map(l => l.getAttribute('points').split(' ').length)"):
            assert 2 <= points <= 600
        assert "income" in page.locator("h2:has-text('Data drift') + figure, table").first.inner_text() or "income" in page.inner_text("main")
        assert page.locator("td svg rect").count() > 4, "reference and current histograms"
        # The A/B test's live split: each arm's version, weight and the requests it answered, which add up.
        heading = page.locator("h3", has_text=story["deployment"]["id"])
        assert "ab deployment" in heading.inner_text() and "active" in heading.inner_text()
        arms = page.locator("h3:has-text('%s') ~ table" % story["deployment"]["id"]).first.locator("tbody tr").all()
        cells = [[cell.inner_text() for cell in arm.locator("td").all()] for arm in arms]
        assert [row[1] for row in cells] == [f"{model} v1", f"{model} v2"] and [row[2] for row in cells] == ["50%", "50%"], cells
        assert sum(int(row[3]) for row in cells) == 40 and all(int(row[3]) > 0 for row in cells), cells
        # The live panel refreshes itself: ten more requests show up without reloading the page.
        for unit in range(10):
            served = governed.call("carol", "POST", f"/serve/{system}/invocations", headers={"X-Steward-Unit": f"late-{unit}"},
                                   json={"dataframe_records": [{"income": 50.0, "age": 40.0, "sex": "m"}]})
            assert served.status_code == 200, served.text
        page.wait_for_function("""() => Array.from(document.querySelectorAll('#deployments table tbody tr'))
            .reduce((total, row) => total + Number(row.children[3].textContent), 0) === 50""", timeout=30_000)
        page = visit.open(f"/ui/models/{model}/versions/1")
        assert "roc_auc >= 0.6" in page.inner_text("main") and "fairness.sex.dp_ratio" in page.inner_text("main")
        page = visit.open("/ui/incidents")
        assert "Approval rate <dropped>" in page.inner_text("main")
        page.click("summary")
        assert "notify_owner" in page.locator("details").first.inner_text()
        # The prompt's two versions, line by line.
        page = visit.open(f"/ui/models/{story['prompt']}?from=1&to=2")
        changes = page.locator("table.diff tbody tr").all_inner_texts()
        assert any("removed" in row and "Answer briefly." in row for row in changes), changes
        assert any("added" in row and "Be kind." in row for row in changes), changes
        # A name with markup stays text.
        page = visit.open("/ui/experiments")
        assert "ui-<script>-" in page.inner_text("main")
        assert "ui-&lt;script&gt;-" in page.content()
        assert "The chain verifies" in visit.open("/ui/audit").inner_text("main")
        assert visit.errors == [], visit.errors
        assert visit.outside() == [], visit.outside()
    finally:
        visit.close()
    signed_out = Visit(browser, governed, None)
    try:
        check_page(signed_out, "/ui/sign-in", "sign-in")
    finally:
        signed_out.close()

