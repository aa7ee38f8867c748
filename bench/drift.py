"""Data drift over large CSV files: `steward drift` against Evidently's DataDriftPreset, end to end from the CSV
files as a user runs them, on the same files in the same run. Prints time, peak memory (max RSS of each
process), the ratios, and the largest difference between the two tools' per-column PSI values.

    python3 -m venv bench/.venv-drift && bench/.venv-drift/bin/pip install -r bench/requirements-drift.txt
    bench/.venv-drift/bin/python bench/drift.py --rows 1000000 [--shape small unscaled] [--steward-binary .build/release/steward]

Two shapes of data, each with 20 numeric columns (eight of them shifted in the current file, two with 1% missing
cells) and 3 categorical ones (one gains a new category), written by pandas with full float precision:
- `small`: small-magnitude positive values (normal, log-normal, uniform and jittered counts scaled to 1e-2 and
  1e-3), about 450 MB per file at 1M rows;
- `unscaled`: normal values as features usually come, unscaled, negatives included (means from -50 to 50,
  standard deviations from 1 to 300), about 400 MB per file at 1M rows.
Steward runs three ways: `--method psi` with its default binning (the reference's deciles), `--method psi
--binning evidently` (Evidently's Sturges bins, whose values are compared with Evidently's), and the automatic
method choice. Files are kept in bench/.data for reruns.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def frame(shape, rows, shifted, seed):
    rng = np.random.default_rng(seed)
    columns = {}
    for index in range(20):
        shift = shifted and index % 5 in (0, 3)
        kind = index % 4
        if shape == "unscaled":
            mean = -50 + 5 * index
            spread = [1.0, 12.5, 80.0, 300.0][kind]
            values = rng.normal(mean + (0.4 * spread if shift else 0.0), spread, rows)
        elif kind == 0:
            values = rng.normal(0.4 if shift else 0.0, 1.0, rows) * 0.01
        elif kind == 1:
            values = rng.lognormal(0.2 if shift else 0.0, 1.0, rows) * 0.001
        elif kind == 2:
            values = rng.uniform(0.1 if shift else 0.0, 1.0, rows) * 0.01
        else:
            values = (rng.poisson(6 if shift else 5, rows) + rng.uniform(0, 1, rows)) * 0.001
        if index in (4, 9):
            values[rng.random(rows) < 0.01] = np.nan
        columns[f"x{index:02d}"] = values
    regions = ["north", "south", "east", "west", "central"] + (["online"] if shifted else [])
    columns["region"] = rng.choice(regions, rows)
    columns["channel"] = rng.choice(["store", "web", "phone"], rows, p=[0.3, 0.6, 0.1] if shifted else [0.5, 0.4, 0.1])
    columns["weekday"] = rng.choice(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], rows)
    return pd.DataFrame(columns)


def data_files(shape, rows):
    folder = ROOT / "bench" / ".data"
    folder.mkdir(exist_ok=True)
    paths = folder / f"drift-{shape}-reference-{rows}.csv", folder / f"drift-{shape}-current-{rows}.csv"
    for path, shifted, seed in zip(paths, [False, True], [1, 2]):
        if not path.exists():
            frame(shape, rows, shifted, seed).to_csv(path.with_suffix(".tmp"), index=False)
            path.with_suffix(".tmp").rename(path)
    return paths


def warm(*paths):
    """Reads the files once so that every tool finds them in the page cache (the first one to run otherwise pays
    for the disk)."""
    for path in paths:
        with open(path, "rb") as handle:
            while handle.read(1 << 24):
                pass


def run(command):
    """Runs a command; returns its wall time in seconds, its own peak RSS in MB and its standard output."""
    import tempfile
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            sys.exit(f"{command[0]} failed ({process.returncode}): {errors.read().decode()}")
    return seconds, usage.ru_maxrss / 1024, output.decode()


def evidently_main(reference, current):
    """The anchor as a user runs it: read both CSV files with pandas, run the PSI drift preset."""
    from evidently import Report
    from evidently.presets import DataDriftPreset
    ref = pd.read_csv(reference)
    cur = pd.read_csv(current)
    snapshot = Report([DataDriftPreset(method="psi")]).run(cur, ref)
    values = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if config.get("type", "").endswith("ValueDrift"):
            values[config["column"]] = metric["value"]
    print(json.dumps(values))


def median(runs):
    """The run with the median wall time."""
    return sorted(runs, key=lambda result: result[0])[len(runs) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--shape", nargs="+", choices=["small", "unscaled"], default=["small", "unscaled"])
    parser.add_argument("--steward-binary", default=str(ROOT / ".build" / "release" / "steward"))
    parser.add_argument("--evidently", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.evidently:
        return evidently_main(*args.evidently)

    for shape in args.shape:
        for rows in args.rows:
            compare(shape, rows, args.steward_binary)


def compare(shape, rows, binary):
    reference, current = data_files(shape, rows)
    size = (reference.stat().st_size + current.stat().st_size) / 2
    print(f"{shape}: {rows:,} rows x 23 columns, {size / 1e6:.0f} MB of CSV per file")
    base = [binary, "drift", "--reference", str(reference), "--current", str(current), "--json"]
    warm(reference, current)
    # Steward's runs take about a second, so each is timed three times and the median run is reported (a first
    # run after the machine idled is often slower); Evidently's take most of a minute and run once.
    seconds, memory, _ = median([run(base + ["--method", "psi"]) for _ in range(3)])
    evidently_bins_seconds, evidently_bins_memory, output = median([run(base + ["--method", "psi", "--binning", "evidently"]) for _ in range(3)])
    steward = {f["feature"]: f["statistic"] for f in json.loads(output)["features"]}
    auto_seconds, auto_memory, _ = median([run(base) for _ in range(3)])
    warm(reference, current)
    evidently_seconds, evidently_memory, output = run([sys.executable, __file__, "--evidently", str(reference), str(current)])
    evidently = json.loads(output)
    worst = max(abs(steward[name] - value) / max(1.0, abs(value)) for name, value in evidently.items())
    print(f"  steward drift --method psi (deciles)     {seconds:7.2f} s  {memory:7.0f} MB")
    print(f"  steward drift --method psi --binning evidently {evidently_bins_seconds:7.2f} s  {evidently_bins_memory:7.0f} MB")
    print(f"  steward drift (auto)                     {auto_seconds:7.2f} s  {auto_memory:7.0f} MB")
    print(f"  Evidently DataDriftPreset (psi)          {evidently_seconds:7.2f} s  {evidently_memory:7.0f} MB")
    print(f"  ratio (Evidently / steward deciles): {evidently_seconds / seconds:.1f}x time, {evidently_memory / memory:.1f}x memory;"
          f" (Evidently / steward Evidently bins): {evidently_seconds / evidently_bins_seconds:.1f}x time")
    print(f"  deciles / Evidently bins: {seconds / evidently_bins_seconds:.2f}x time;"
          f" largest PSI difference from Evidently (same bins) {worst:.1e} over {len(evidently)} columns")


if __name__ == "__main__":
    main()
