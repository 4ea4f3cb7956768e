#!/usr/bin/env python3
"""UK Unique Pupil Numbers with the DfE check letter (docs/FORMATS.md).

A UPN is a check letter followed by a 12-character body: LA number (3 digits),
establishment number (4), last two digits of the year of allocation (2) and a
serial (3). The check letter is ALPHABET[sum(char * position) mod 23] over
positions 2..13.

  make_upn.py 801200005001          -> B801200005001
  make_upn.py --check B801200005001 -> ok
  make_upn.py --demo                -> the UPNs used by the Riverside demo data
"""
import sys

ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # no I, O or S


def check_letter(body: str) -> str:
    if len(body) != 12 or not body[:11].isdigit():
        raise ValueError(f"UPN body must be 11 digits and a digit or letter: {body!r}")
    total = 0
    for position, ch in enumerate(body, start=2):
        value = int(ch) if ch.isdigit() else ALPHABET.index(ch)  # temporary UPN
        total += value * position
    return ALPHABET[total % 23]


def make_upn(body: str) -> str:
    return check_letter(body) + body


def is_valid(upn: str) -> bool:
    try:
        return len(upn) == 13 and upn[0] == check_letter(upn[1:])
    except ValueError:
        return False


# Riverside Academy: fictional LA 919, establishment 4321. Years 7 and 8 were
# allocated UPNs in 2016/2017 at primary school; the serial is per pupil.
LA, ESTAB = "919", "4321"


def demo_upn(year_allocated: int, serial: int) -> str:
    return make_upn(f"{LA}{ESTAB}{year_allocated % 100:02d}{serial:03d}")


if __name__ == "__main__":
    assert make_upn("801200005001") == "B801200005001"  # the example in FORMATS.md
    assert not is_valid("A801200005001")
    args = sys.argv[1:]
    if args[:1] == ["--check"]:
        bad = [u for u in args[1:] if not is_valid(u)]
        for u in bad:
            print(f"invalid: {u}")
        sys.exit(1 if bad else 0)
    if args[:1] == ["--demo"]:
        for serial in range(1, 31):
            print(serial, demo_upn(2017 if serial <= 15 else 2016, serial))
        sys.exit(0)
    for body in args:
        print(make_upn(body))
