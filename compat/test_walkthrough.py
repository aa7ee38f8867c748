"""The README's governance walk-through, run as written: a newcomer's first model reaches production through
every control of its tier, with the commands the README gives and nothing else."""

import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from conftest import BINARY, ROOT, start_server

VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", "")) / "bin" if os.environ.get("VIRTUAL_ENV") else Path(sys.executable).parent


def walkthrough():
    """The shell block that follows the README's walk-through marker."""
    readme = (ROOT / "README.md").read_text()
    marker = readme.index("<!-- governance walk-through")
    block = re.search(r"```sh\n(.*?)```", readme[marker:], re.S)
    assert block, "the walk-through's shell block is missing"
    return block.group(1)


def test_the_readme_walkthrough_promotes_a_first_model(tmp_path):
    # The server as the README starts it, on a fresh folder named as in the README, in the folder the commands
    # run in. Only the port differs (a free one instead of 5000), since the suite may not own port 5000.
    server = start_server(str(tmp_path / "steward-data"))
    try:
        assert (tmp_path / "steward-data" / "admin-token").stat().st_mode & 0o777 == 0o600
        (tmp_path / "examples").symlink_to(ROOT / "examples")
        (tmp_path / "bin").mkdir()
        (tmp_path / "bin" / "steward").symlink_to(BINARY)
        script = walkthrough().replace("http://127.0.0.1:5000", server.url)
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "MLFLOW_"))}
        environment["PATH"] = f"{tmp_path / 'bin'}:{VENV_BIN}:{environment['PATH']}"
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=environment,
                              capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stdout + done.stderr
        # What the README says happens: controls listed with their commands first, then the promotion.
        assert "medium tier" in done.stdout and "steward card edit churn 1 --intended-use" in done.stdout, done.stdout
        assert "gate churn: PASSED" in done.stdout, done.stdout
        inbox = [line.split("\t") for line in done.stdout.splitlines() if line.startswith("apr-")]
        assert [(row[2], row[5], row[7]) for row in inbox] == [("churn", "pending", "yes")], done.stdout
        assert "Promoted 'churn' version 1 to alias 'production'." in done.stdout, done.stdout

        token = (tmp_path / "steward-data" / "admin-token").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        alias = requests.get(f"{server.url}/api/2.0/mlflow/registered-models/alias", params={"name": "churn", "alias": "production"},
                             headers=headers, timeout=30)
        assert alias.status_code == 200 and alias.json()["model_version"]["version"] == "1", alias.text
        systems = requests.get(f"{server.url}/api/v1/systems", headers=headers, timeout=30).json()["systems"]
        production = [t for t in systems[0]["controls"][0]["targets"] if t["target"] == "production"][0]
        assert systems[0]["risk_tier"] == "medium" and production["missing"] == []
        # The version has an author, the approver is someone else, and the audit log holds the promotion.
        audit = requests.get(f"{server.url}/api/v1/audit", params={"system": systems[0]["id"]}, headers=headers, timeout=30)
        assert audit.status_code == 200, audit.text
        decided = {(e["action"], e["actor"], e.get("outcome")) for e in audit.json()["events"]}
        assert ("approval.approve", "rita", "allowed") in decided and ("promotion", "admin", "allowed") in decided, decided
    finally:
        server.stop()
