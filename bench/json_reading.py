"""Steward's JSON reader (`Sources/StewardJSON`) against Foundation's `JSONSerialization`, on request bodies shaped
like the router's and the gateway's traffic, in one process: builds the reader's sources with
`bench/json_reading.swift` (swiftc -O) and prints the time per body of each and the ratio.

    python3 bench/json_reading.py
"""

import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    with tempfile.TemporaryDirectory(prefix="steward-bench-json-") as folder:
        program = Path(folder, "json-reading")
        sources = sorted(str(path) for path in (ROOT / "Sources" / "StewardJSON").glob("*.swift"))
        subprocess.run(["swiftc", "-O", "-wmo", "-parse-as-library", "-module-name", "JSONReading", *sources,
                        str(ROOT / "bench" / "json_reading.swift"), "-o", str(program)], check=True)
        subprocess.run([str(program)], check=True)


if __name__ == "__main__":
    main()
