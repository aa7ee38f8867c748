"""Every example in `steward … --help` can be copied and pasted: at the usual 80 columns no example line is
broken in two (long ones continue with a backslash on lines of their own)."""

import os
import re
import subprocess

from conftest import BINARY


def help_text(path, columns):
    environment = dict(os.environ, COLUMNS=str(columns))
    done = subprocess.run([BINARY, *path, "--help"], capture_output=True, text=True, timeout=60, env=environment)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commands(path=()):
    """Every command path, from the SUBCOMMANDS sections of the help."""
    yield path
    text = help_text(path, 1000)
    if "SUBCOMMANDS:" not in text:
        return
    for line in text.split("SUBCOMMANDS:", 1)[1].splitlines():
        match = re.match(r"^  ([a-z][a-z-]*)( \(default\))?\s", line)
        if match and match.group(1) != "help":
            yield from commands(path + (match.group(1),))


def examples(text):
    """Example lines: those that start with `steward`, and the lines a trailing backslash continues them on."""
    lines, continued = [], False
    for line in text.splitlines():
        if continued or line.strip().startswith("steward "):
            lines.append(line.rstrip())
            continued = line.rstrip().endswith("\\")
    return lines


def test_help_examples_survive_80_columns():
    paths = list(commands())
    assert ("approvals", "list") in paths and ("systems", "create") in paths and ("card", "edit") in paths
    broken = []
    for path in paths:
        narrow = help_text(path, 80).splitlines()
        broken += [f"steward {' '.join(path)}: {line}" for line in examples(help_text(path, 1000)) if line not in narrow]
    assert not broken, "examples wrapped at 80 columns:\n" + "\n".join(broken)
