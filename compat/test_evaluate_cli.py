"""`steward evaluate` and `steward gate check` as a CI job runs them: files in, metrics and an exit code out, compared
with scikit-learn on the same data."""

import json
import subprocess

import numpy as np
import pytest
from sklearn import metrics as m

from conftest import BINARY


def steward(*args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def binary_file(tmp_path_factory):
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 2000)
    score = np.clip(0.3 * y + rng.normal(0.35, 0.22, 2000), 0, 1)
    path = tmp_path_factory.mktemp("eval") / "test.csv"
    with open(path, "w") as out:
        out.write('id,label,score,note\n')
        for index, (label, value) in enumerate(zip(y, score)):
            out.write(f'{index},{label},{float(value)!r},"row, {index}"\n')
    return path, y, score


def test_binary_metrics_match_scikit_learn(binary_file):
    path, y, score = binary_file
    result = steward("evaluate", "--task", "binary", "--data", str(path), "--label", "label", "--score", "score", "--threshold", "0.4", "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    pred = (score >= 0.4).astype(int)
    expected = {
        "accuracy": m.accuracy_score(y, pred), "precision": m.precision_score(y, pred), "recall": m.recall_score(y, pred),
        "f1": m.f1_score(y, pred), "f1_macro": m.f1_score(y, pred, average="macro"), "roc_auc": m.roc_auc_score(y, score),
        "pr_auc": m.average_precision_score(y, score), "log_loss": m.log_loss(y, score), "brier": m.brier_score_loss(y, score),
    }
    for name, value in expected.items():
        assert metrics[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert metrics["rows"] == 2000


def test_regression_from_json_lines(tmp_path):
    rng = np.random.default_rng(11)
    y = rng.normal(100, 30, 500)
    forecast = y + rng.normal(2, 8, 500)
    path = tmp_path / "sales.jsonl"
    path.write_text("".join(json.dumps({"units": float(a), "forecast": float(b), "store": "north"}) + "\n" for a, b in zip(y, forecast)))
    result = steward("evaluate", "--task", "regression", "--data", str(path), "--label", "units", "--prediction", "forecast", "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["mae"] == pytest.approx(m.mean_absolute_error(y, forecast), rel=1e-9)
    assert metrics["rmse"] == pytest.approx(m.root_mean_squared_error(y, forecast), rel=1e-9)
    assert metrics["mape"] == pytest.approx(m.mean_absolute_percentage_error(y, forecast), rel=1e-9)
    assert metrics["r2"] == pytest.approx(m.r2_score(y, forecast), rel=1e-9)
    assert metrics["wape"] == pytest.approx(np.abs(forecast - y).sum() / np.abs(y).sum(), rel=1e-9)


def test_gate_check_exit_codes(binary_file, tmp_path):
    path, _, _ = binary_file
    metrics_path = tmp_path / "metrics.json"
    evaluated = steward("evaluate", "--task", "binary", "--data", str(path), "--label", "label", "--score", "score", "--json")
    metrics_path.write_text(evaluated.stdout)
    auc = json.loads(evaluated.stdout)["roc_auc"]
    spec = tmp_path / "gate.yaml"
    spec.write_text(f"name: churn\nconditions:\n  - roc_auc >= {auc - 0.01}\n  - f1 >= champion.f1 * 0.98\n")

    passed = steward("gate", "check", "--spec", str(spec), "--metrics", str(metrics_path))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "SKIPPED" in passed.stdout and "gate churn: PASSED" in passed.stdout

    champion = tmp_path / "champion.json"
    champion.write_text(json.dumps({"f1": 0.99}))
    failed = steward("gate", "check", "--spec", str(spec), "--metrics", str(metrics_path), "--champion", str(champion), "--json")
    assert failed.returncode == 1
    result = json.loads(failed.stdout)
    assert [c["outcome"] for c in result["conditions"]] == ["passed", "failed"]
    assert result["conditions"][1]["threshold"] == pytest.approx(0.99 * 0.98)

    broken = steward("gate", "check", "--spec", str(metrics_path), "--metrics", str(metrics_path))
    assert broken.returncode != 0 and "error:" in broken.stderr


def test_bad_data_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("label,score\n1,0.9\n0,high\n")
    result = steward("evaluate", "--task", "binary", "--data", str(path), "--label", "label", "--score", "score")
    assert result.returncode == 1 and "row 2" in result.stderr and "high" in result.stderr
    missing = steward("evaluate", "--task", "binary", "--data", str(path), "--label", "y", "--score", "score")
    assert missing.returncode == 1 and "no column 'y'" in missing.stderr and "label, score" in missing.stderr


def test_fairness_slices_and_operations(tmp_path):
    rng = np.random.default_rng(5)
    n = 1200
    sex = rng.choice(["f", "m"], n)
    region = rng.choice(["north", "south", "east"], n)
    y = rng.integers(0, 2, n)
    score = np.clip(0.3 * y + 0.1 * (sex == "m") + rng.normal(0.3, 0.2, n), 0, 1)
    latency = rng.lognormal(3, 0.5, n)
    cost = rng.uniform(0.001, 0.004, n)
    path = tmp_path / "loans.csv"
    with open(path, "w") as out:
        out.write("repaid,p,sex,region,ms,usd\n")
        for row in zip(y, score, sex, region, latency, cost):
            out.write(f"{row[0]},{float(row[1])!r},{row[2]},{row[3]},{float(row[4])!r},{float(row[5])!r}\n")
    result = steward("evaluate", "--task", "binary", "--data", str(path), "--label", "repaid", "--score", "p", "--sensitive", "sex",
                     "--slice", "region", "--latency", "ms", "--cost", "usd", "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    decided = score >= 0.5
    rates = {g: decided[sex == g].mean() for g in ["f", "m"]}
    assert metrics["fairness.sex.f.selection_rate"] == pytest.approx(rates["f"], rel=1e-12)
    assert metrics["fairness.sex.dp_difference"] == pytest.approx(max(rates.values()) - min(rates.values()), rel=1e-9)
    assert metrics["fairness.sex.dp_ratio"] == pytest.approx(min(rates.values()) / max(rates.values()), rel=1e-9)
    assert metrics["fairness.sex.four_fifths_violation"] == float(min(rates.values()) < 0.8 * max(rates.values()))
    assert metrics["fairness.sex.m.size"] == int((sex == "m").sum())
    for name in ["north", "south", "east"]:
        rows = region == name
        assert metrics[f"slice.region.{name}.roc_auc"] == pytest.approx(m.roc_auc_score(y[rows], score[rows]), rel=1e-9)
        assert metrics[f"slice.region.{name}.rows"] == int(rows.sum())
    for q in [50, 95, 99]:
        assert metrics[f"latency_p{q}_ms"] == pytest.approx(np.percentile(latency, q), rel=1e-9)
    assert metrics["cost_per_request_usd"] == pytest.approx(cost.mean(), rel=1e-9)


def test_json_schema_compliance_of_text_outputs(tmp_path):
    schema = {"type": "object", "required": ["intent", "confidence"], "additionalProperties": False,
              "properties": {"intent": {"enum": ["refund", "cancel", "other"]}, "confidence": {"type": "number", "minimum": 0, "maximum": 1}}}
    outputs = ['{"intent": "refund", "confidence": 0.9}', '{"intent": "upgrade", "confidence": 0.5}', "not json",
               '{"intent": "cancel", "confidence": 1}', '{"intent": "other", "confidence": 0.2, "extra": 1}', "[1,]"]
    data = tmp_path / "answers.jsonl"
    data.write_text("".join(json.dumps({"reference": "-", "output": output}) + "\n" for output in outputs))
    schema_path = tmp_path / "intent.schema.json"
    schema_path.write_text(json.dumps(schema))
    result = steward("evaluate", "--task", "text", "--data", str(data), "--label", "reference", "--prediction", "output",
                     "--json-schema", str(schema_path), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["json_schema_compliance"] == pytest.approx(2 / 6) and metrics["json_validity"] == pytest.approx(4 / 6)
    schema_path.write_text('{"type": "object", "minLength": "long"}')
    broken = steward("evaluate", "--task", "text", "--data", str(data), "--label", "reference", "--prediction", "output",
                     "--json-schema", str(schema_path))
    assert broken.returncode == 1 and "minLength" in broken.stderr
    binary = steward("evaluate", "--task", "binary", "--data", str(data), "--label", "reference", "--prediction", "output",
                     "--json-schema", str(schema_path))
    assert binary.returncode == 1


def test_version_flag_is_the_programs_on_every_command():
    version = steward("--version")
    assert version.returncode == 0 and version.stdout.strip()
    for command in (["evaluate"], ["gate", "check"], ["systems", "promote"]):
        answered = steward(*command, "--version")
        assert answered.returncode == 0 and answered.stdout == version.stdout, answered.stderr
    # The model version has its own name where a command records one.
    assert "--model-version <n>" in steward("evaluate", "--help").stdout
