"""Evaluation metrics over a large CSV: `steward evaluate` against pandas + scikit-learn, end to end (parsing
included), on the same file in the same run. Prints both times, the ratio and the largest disagreement.

    bench/.venv/bin/python bench/metrics.py --rows 10000000 [--steward-binary .build/release/steward]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--steward-binary", default=str(ROOT / ".build" / "release" / "steward"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "scores.csv"
        rng = np.random.default_rng(1)
        label = rng.integers(0, 2, args.rows)
        score = np.clip(0.3 * label + rng.normal(0.35, 0.22, args.rows), 0, 1).round(6)
        with open(path, "w") as out:
            out.write("label,score\n")
            chunk = 1_000_000
            for start in range(0, args.rows, chunk):
                block = np.column_stack([label[start:start + chunk], score[start:start + chunk]])
                np.savetxt(out, block, fmt=["%d", "%.6f"], delimiter=",")
        size = path.stat().st_size
        print(f"{args.rows:,} rows, {size / 1e6:.0f} MB")

        started = time.perf_counter()
        result = subprocess.run([args.steward_binary, "evaluate", "--task", "binary", "--data", str(path), "--label", "label",
                                 "--score", "score", "--json"], capture_output=True, text=True)
        steward_seconds = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(result.stderr)
        steward = json.loads(result.stdout)

        started = time.perf_counter()
        import pandas as pd
        from sklearn import metrics as m
        frame = pd.read_csv(path)
        y, p = frame["label"].to_numpy(), frame["score"].to_numpy()
        pred = (p >= 0.5).astype(int)
        reference = {
            "accuracy": m.accuracy_score(y, pred), "precision": m.precision_score(y, pred), "recall": m.recall_score(y, pred),
            "f1": m.f1_score(y, pred), "roc_auc": m.roc_auc_score(y, p), "pr_auc": m.average_precision_score(y, p),
            "log_loss": m.log_loss(y, p), "brier": m.brier_score_loss(y, p),
        }
        sklearn_seconds = time.perf_counter() - started

        worst = max(abs(steward[name] - value) / max(1, abs(value)) for name, value in reference.items())
        print(f"steward evaluate     {steward_seconds:8.2f} s")
        print(f"pandas + scikit-learn {sklearn_seconds:7.2f} s")
        print(f"ratio (sklearn / steward): {sklearn_seconds / steward_seconds:.2f}x   largest relative difference: {worst:.1e}")


if __name__ == "__main__":
    main()
