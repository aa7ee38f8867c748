"""The OpenAPI document of /api/v1 held against the live server by schemathesis: a governed server (auth on), an
admin token, and a bounded number of generated requests per operation, valid and invalid. Twice: with generated
path parameters (mostly unknown names), then with every `{id}` set to a registered system, so the routes under
/systems/{id} reach their services. No response may be a 5xx, break the document (status, content type, schema)
or take longer than the request timeout, and the server must still be healthy afterwards. SQLite only: the
document does not depend on the engine, and PostgreSQL's routes are the same code.

Schemathesis learns names from responses: with an admin token it makes other users admins and then deletes or
demotes the admin it speaks as, after which every request is a 401 and proves nothing. The three operations that
can do that run last, on their own."""

import os
import subprocess
import sys
from pathlib import Path

import requests

from conftest import Backend
from test_governance import create_system, start_governed

# Bounded so the suite stays within CI's budget: about a minute on two cores.
# One worker: schemathesis's workers are threads, and CPython 3.11's `ast` module keeps its recursion depth per
# process, so two threads parsing at once can fail with "SystemError: AST constructor recursion depth mismatch"
# (python/cpython#106905), which ended a run that had found nothing wrong.
MAX_EXAMPLES = int(os.environ.get("STEWARD_SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_live_server_keeps_its_openapi_contract(tmp_path):
    backend = Backend("sqlite")
    governed = start_governed(backend, name="contract")
    try:
        document = requests.get(governed.server.url + "/api/v1/openapi.json", timeout=30)
        assert document.status_code == 200 and document.json()["openapi"] == "3.1.0"
        system = create_system(governed, "root-admin", "contract-credit")
        known = tmp_path / "known-system.toml"
        incident = governed.call("root-admin", "POST", f"/api/v1/systems/{system['id']}/incidents",
                                 json={"title": "Scores drifted", "severity": "medium"})
        assert incident.status_code == 201, incident.text
        # Every {id} is the system, but an incident's; every {name} a user's (vic's tokens, whom no run deletes).
        known.write_text(
            f'[parameters]\n"path.id" = "{system["id"]}"\n"path.name" = "vic"\n\n'
            '[[operations]]\ninclude-operation-id = ["getIncident", "updateIncident", "resolveIncident"]\n'
            f'parameters = {{ "path.id" = "{incident.json()["incident"]["id"]}" }}\n')
        lockout = ["--include-operation-id", "updateUserRole", "--include-operation-id", "deleteUser",
                   "--include-operation-id", "revokeUserToken"]
        spared = [argument.replace("--include", "--exclude") for argument in lockout]
        for config, selection in [(None, spared), (known, spared), (None, lockout)]:
            command = [
                str(Path(sys.executable).parent / "schemathesis"), *(["--config-file", str(config)] if config else []),
                "run", governed.server.url + "/api/v1/openapi.json",
                "--header", f"Authorization: Bearer {governed.tokens['root-admin']}",
                "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--seed", "20261202",
                "--phases", "examples,coverage,fuzzing", "--request-timeout", "20", "--workers", "1",
                "--generation-database", "none", "--no-color", "--output-truncate", "false", *selection,
            ]
            run = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
            print(run.stdout[-1200:])
            assert run.returncode == 0, f"schemathesis found what breaks the contract:\n{run.stdout[-20000:]}\n{run.stderr[-5000:]}"
            if selection is not lockout:
                # Still speaking as an admin: the run tested what it meant to, not a wall of 401s.
                me = governed.call("root-admin", "GET", "/api/v1/whoami")
                assert me.status_code == 200 and me.json()["user"]["role"] == "admin", me.text
            assert requests.get(governed.server.url + "/health", timeout=10).status_code == 200
    finally:
        code = governed.server.stop()
        backend.cleanup()
    assert code == 0, f"steward did not shut down cleanly (exit {code}):\n{governed.server.log()}"
