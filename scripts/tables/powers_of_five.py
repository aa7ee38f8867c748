"""Writes Sources/StewardTables/PowersOfFive.swift: 5^q for q in -64...64 as 128-bit values with the top
bit set, the table `DecimalText` multiplies a decimal mantissa by to round it to the nearest double (Lemire,
"Number Parsing at a Gigabyte per Second", 2021, section 5; Mushtak and Lemire, "Fast number parsing without
fallback", 2023, show 128 bits are always enough).

A non-negative power is 5^q shifted until its top bit is bit 127 and truncated. A negative one is the reciprocal
2^b / 5^-q rounded up (floor plus one), taken with at least 128 bits of quotient and then truncated to 128 bits.

    python3 scripts/tables/powers_of_five.py > Sources/StewardTables/PowersOfFive.swift
"""

SMALLEST, LARGEST = -64, 64


def entry(q):
    if q >= 0:
        value = 5**q
        while value < 1 << 127:
            value <<= 1
        while value >= 1 << 128:
            value >>= 1
        return value
    power = 5**-q
    width = power.bit_length()  # the smallest w with 2^w >= 5^-q, as 5^-q is never a power of two
    if q >= -27:
        value = (1 << (width + 127)) // power + 1
    else:
        value = (1 << (2 * width + 128)) // power + 1
        while value >= 1 << 128:
            value >>= 1
    assert 1 << 127 <= value < 1 << 128
    return value


def main():
    print("// Written by scripts/tables/powers_of_five.py; do not edit.")
    print()
    print("extension DecimalText {")
    print(f"    /// The powers of ten the table covers; entry i is for the power i + smallestTablePower.")
    print(f"    static let smallestTablePower = {SMALLEST}")
    print(f"    static let largestTablePower = {LARGEST}")
    print()
    for name, part in (("High", lambda v: v >> 64), ("Low", lambda v: v & ((1 << 64) - 1))):
        print(f"    /// The {'upper' if name == 'High' else 'lower'} 64 bits of 5^q normalized to 128 bits, q = {SMALLEST}...{LARGEST}.")
        print(f"    static let powersOfFive{name}: [UInt64] = [")
        for q in range(SMALLEST, LARGEST + 1):
            print(f"        0x{part(entry(q)):016x},  // {q}")
        print("    ]")
        if name == "High":
            print()
    print("}")


main()
