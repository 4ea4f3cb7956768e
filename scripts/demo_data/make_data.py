#!/usr/bin/env python3
"""Writes the Riverside Academy demo data (the design is in README.md here):
term1/ and term2/ (OneRoster 1.2 CSV sets) and hub_seed.csv.

The output is committed; run this again only after changing the tables below:
  python3 scripts/demo_data/make_data.py
Also:
  python3 scripts/demo_data/make_data.py --upn 801200005001   -> B801200005001
  python3 scripts/demo_data/make_data.py --check UPN...       -> exit 1 on an invalid UPN
"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- UPNs ----
# A UPN is a check letter and a 12-character body: LA number (3 digits),
# establishment number (4), last two digits of the year of allocation (2) and a
# serial (3). Check letter: sum(char * position) over positions 2..13, mod 23,
# mapped to ALPHABET (docs/FORMATS.md, the DfE rule).
ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # no I, O or S


def check_letter(body):
    if len(body) != 12 or not body[:11].isdigit():
        raise ValueError(f"UPN body must be 11 digits and a digit or letter: {body!r}")
    total = 0
    for position, ch in enumerate(body, start=2):
        total += (int(ch) if ch.isdigit() else ALPHABET.index(ch)) * position
    return ALPHABET[total % 23]


def make_upn(body):
    return check_letter(body) + body


def is_valid_upn(upn):
    try:
        return len(upn) == 13 and upn[0] == check_letter(upn[1:])
    except ValueError:
        return False


# Riverside Academy: fictional LA 919, establishment 4321. Years 7 and 8 were
# given UPNs in 2017 / 2016 at primary school; the serial is per pupil.
LA, ESTAB = "919", "4321"


def demo_upn(year_allocated, serial):
    return make_upn(f"{LA}{ESTAB}{year_allocated % 100:02d}{serial:03d}")


# ------------------------------------------------------------- the MIS ----
ORG = "org-riverside"
TERM = "term-2025-aut"
EMAIL_DOMAIN = "students.riverside-academy.example"

# Registration groups (OneRoster homeroom classes) and subject classes.
CLASSES = [
    # sourcedId, title, grade, classType
    ("reg-7A", "7A", "07", "homeroom"),
    ("reg-7B", "7B", "07", "homeroom"),
    ("reg-8A", "8A", "08", "homeroom"),
    ("cls-7x-Ma1", "7x/Ma1", "07", "scheduled"),
    ("cls-7y-En1", "7y/En1", "07", "scheduled"),
    ("cls-8x-Ma1", "8x/Ma1", "08", "scheduled"),
    ("cls-8x-Sc1", "8x/Sc1", "08", "scheduled"),
]
MA7, EN7, MA8, SC8 = "cls-7x-Ma1", "cls-7y-En1", "cls-8x-Ma1", "cls-8x-Sc1"

# One teacher: not a learner (roles.csv says teacher), so the pupil sync ignores
# her; she shows that a real export mixes roles.
TEACHER = dict(sid="tch-001", given="Sarah", family="Holt",
               email="s.holt@riverside-academy.example", classes=["reg-7A", MA7])


def pupil(sid, given, family, dob, sex, year, reg, classes, serial, preferred="", email=False):
    """One MIS pupil. The UPN is valid; the email, when asked for, is
    preferred-or-legal forename . surname @ the school's pupil domain."""
    return dict(sid=sid, given=given, family=family, preferred=preferred, dob=dob, sex=sex,
                year=year, reg=reg, classes=classes,
                upn=demo_upn(2017 if year == "7" else 2016, serial),
                email=f"{(preferred or given).lower()}.{family.lower()}@{EMAIL_DOMAIN}"
                if email else "")


# School year 2025/26: Year 7 born 2013-09-01 .. 2014-08-31, Year 8 a year earlier.
TERM1 = [
    # Year 7, 7A
    pupil("stu-001", "Oliver", "Bennett", "2013-10-14", "male", "7", "7A", [MA7, EN7], 1, email=True),
    pupil("stu-002", "Amelia", "Clarke", "2014-02-03", "female", "7", "7A", [MA7], 2, email=True),
    pupil("stu-003", "Harry", "Dawson", "2013-12-19", "male", "7", "7A", [EN7], 3),
    pupil("stu-004", "Isla", "Evans", "2014-05-27", "female", "7", "7A", [MA7, EN7], 4),
    pupil("stu-005", "Mohammed", "Farooq", "2014-07-08", "male", "7", "7A", [MA7], 5, preferred="Mo"),
    pupil("stu-006", "Chloe", "Green", "2013-09-30", "female", "7", "7A", [EN7], 6),
    pupil("stu-007", "Leo", "Harris", "2014-03-11", "male", "7", "7A", [MA7], 7),
    # Year 7, 7B
    pupil("stu-008", "Ava", "Hussain", "2013-11-22", "female", "7", "7B", [EN7], 8),
    pupil("stu-009", "Jacob", "Ingram", "2014-01-05", "male", "7", "7B", [MA7], 9),
    pupil("stu-010", "Freya", "Jones", "2014-06-16", "female", "7", "7B", [MA7, EN7], 10),
    pupil("stu-011", "Ethan", "Lewis", "2013-09-20", "male", "7", "7B", [EN7], 11),
    pupil("stu-012", "Poppy", "Martin", "2014-04-02", "female", "7", "7B", [MA7], 12,
          preferred="Pops"),
    # Year 8, 8A
    pupil("stu-013", "George", "Nelson", "2012-10-07", "male", "8", "8A", [MA8, SC8], 16, email=True),
    pupil("stu-014", "Sophia", "Owen", "2013-01-19", "female", "8", "8A", [MA8], 17,
          preferred="Sophie"),
    pupil("stu-015", "Daniel", "Price", "2012-12-01", "male", "8", "8A", [SC8], 18),
    pupil("stu-016", "Ruby", "Quinn", "2013-03-14", "female", "8", "8A", [MA8, SC8], 19),
    pupil("stu-017", "Zain", "Rahman", "2013-05-25", "male", "8", "8A", [MA8], 20, email=True),
    pupil("stu-018", "Maya", "Shah", "2012-11-11", "female", "8", "8A", [SC8], 21, email=True),
    pupil("stu-019", "Amir", "Khan", "2013-06-02", "male", "8", "8A", [MA8, SC8], 22),
    pupil("stu-020", "Aisha", "Khan", "2013-06-02", "female", "8", "8A", [MA8, SC8], 23),
]

# Term 2: two leavers, one move, three joiners.
LEAVERS = {"stu-010", "stu-016"}  # Freya Jones, Ruby Quinn -> Desynced
MOVES = {"stu-007": "7B"}  # Leo Harris, 7A -> 7B (Synced, refreshed)
JOINERS = [
    # Matched: the office types him in by hand (learner create) before sync 2,
    # with the same names and date of birth.
    pupil("stu-021", "Noah", "Patel", "2014-04-17", "male", "7", "7B", [MA7, EN7], 13, email=True),
    # May match: the hand-made "Freddie Taylor" has his forename and date of
    # birth but another surname. The demo's admin finds it is another boy and
    # unmatches it.
    pupil("stu-022", "Freddie", "Wood", "2013-11-06", "male", "7", "7A", [MA7], 14),
    # New: the hand-made "Ellie Moss" (no date of birth) is this child under her
    # old name; only the admin can tell, and matches them by hand.
    pupil("stu-023", "Eleanor", "Carter", "2014-02-12", "female", "7", "7A", [EN7], 15, email=True),
]

# The hand-made records the demo adds with `learner create` between the syncs
# (kept here so the README and demo.sh agree with the data).
BETWEEN_SYNCS = [
    # forename, surname, dob, year, reg group
    ("Noah", "Patel", "2014-04-17", "7", "7B"),
    ("Freddie", "Taylor", "2013-11-06", "7", "7A"),
    ("Ellie", "Moss", "", "7", "7A"),
]


def term2_roster():
    out = []
    for p in TERM1:
        if p["sid"] in LEAVERS:
            continue
        p = dict(p)
        p["reg"] = MOVES.get(p["sid"], p["reg"])
        out.append(p)
    return out + JOINERS


# ------------------------------------------------------------ the hub ----
# Hand-made Admin Hub records (docs/FORMATS.md, hub learner CSV), typed in by
# the office before the school connected its MIS: some have a UPN, some a date
# of birth, some neither; names are what the children are called.
def hub(forename, surname, dob="", gender="", upn_of=None, year="", reg="", classes="",
        preferred_forename="", email=""):
    upn = next(p["upn"] for p in TERM1 if p["sid"] == upn_of) if upn_of else ""
    return [forename, surname, preferred_forename, "", dob, gender, upn, year, reg, classes, email]


HUB_SEED = [
    hub("Olly", "Bennett", upn_of="stu-001", gender="M", year="7", reg="7A"),  # UPN; no dob
    hub("Amelia", "Clarke", "2014-02-03", "F", year="7", reg="7A"),  # names + dob
    hub("Harry", "Dawson", "2013-12-19", "M", upn_of="stu-003", year="7", reg="7A"),
    hub("Isla", "Evans", "2014-05-27", "F", year="7", reg="7A", classes="7x/Ma1"),
    hub("Mo", "Farooq", upn_of="stu-005", gender="M", year="7", reg="7A"),  # UPN; known-as name
    hub("Leo", "Harris", "2014-03-11", "M", year="7", reg="7A"),
    hub("Ava", "Hussain", "2013-11-22", "F", upn_of="stu-008", year="7", reg="7B"),
    hub("Freya", "Jones", "2014-06-16", "F", year="7", reg="7B", classes="7x/Ma1;7y/En1"),
    hub("Ethan", "Lewis", "2013-09-20", "M", upn_of="stu-011", year="7", reg="7B"),
    hub("George", "Nelson", "2012-10-07", "M", upn_of="stu-013", year="8", reg="8A"),
    hub("Sophie", "Owen", "2013-01-19", "F", upn_of="stu-014", year="8", reg="8A"),
    hub("Daniel", "Price", "2012-12-01", "M", year="8", reg="8A"),
    hub("Ruby", "Quinn", "2013-03-14", "F", upn_of="stu-016", year="8", reg="8A"),
    hub("Maya", "Shah", "2012-11-11", "F", year="8", reg="8A", classes="8x/Sc1"),
    hub("Amir", "Khan", "2013-06-02", "M", upn_of="stu-019", year="8", reg="8A"),  # twins:
    hub("Aisha", "Khan", "2013-06-02", "F", upn_of="stu-020", year="8", reg="8A"),  # same dob
    # Never on roll: Not matched in both syncs, left alone.
    hub("Evie", "Marsh", "", "F", year="8", reg="8A", email="evie.marsh@example.com"),
]

HUB_COLUMNS = ["legal_forename", "legal_surname", "preferred_forename", "preferred_surname",
               "date_of_birth", "gender", "upn", "year_group", "registration_group", "classes",
               "email"]


# ------------------------------------------------------------- writing ----
def write(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_oneroster(folder, roster):
    d = os.path.join(HERE, folder)
    write(os.path.join(d, "manifest.csv"), ["propertyName", "value"], [
        ["manifest.version", "1.0"], ["oneroster.version", "1.2"],
        ["file.academicSessions", "absent"], ["file.categories", "absent"],
        ["file.classes", "bulk"], ["file.classResources", "absent"], ["file.courses", "absent"],
        ["file.courseResources", "absent"], ["file.demographics", "bulk"],
        ["file.enrollments", "bulk"], ["file.lineItems", "absent"], ["file.orgs", "bulk"],
        ["file.resources", "absent"], ["file.results", "absent"], ["file.roles", "bulk"],
        ["file.users", "bulk"], ["source.systemName", "Riverside demo MIS"],
    ])
    write(os.path.join(d, "orgs.csv"),
          ["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
           "parentSourcedId"],
          [[ORG, "", "", "Riverside Academy", "school", "9194321", ""]])
    t = TEACHER
    write(os.path.join(d, "users.csv"),
          ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
           "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
           "agentSourcedIds", "grades", "password", "userMasterIdentifier",
           "preferredGivenName", "preferredMiddleName", "preferredFamilyName",
           "primaryOrgSourcedId", "pronouns"],
          [[t["sid"], "", "", "true", t["sid"], "", t["given"], t["family"], "", "", t["email"],
            "", "", "", "", "", "", "", "", "", ORG, ""]] +
          [[p["sid"], "", "", "true", p["sid"], f"{{UPN:{p['upn']}}}", p["given"], p["family"],
            "", p["upn"], p["email"], "", "", "", f"{int(p['year']):02d}", "", p["upn"],
            p["preferred"], "", "", ORG, ""] for p in roster])
    write(os.path.join(d, "roles.csv"),
          ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
           "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"],
          [[f"role-{t['sid']}", "", "", t["sid"], "primary", "teacher", "", "", ORG, ""]] +
          [[f"role-{p['sid']}", "", "", p["sid"], "primary", "student", "", "", ORG, ""]
           for p in roster])
    write(os.path.join(d, "classes.csv"),
          ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
           "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
           "subjects", "subjectCodes", "periods"],
          [[sid, "", "", title, grade, "", title, kind, "", ORG, TERM, "", "", ""]
           for sid, title, grade, kind in CLASSES])
    enrollments = [[f"enr-{t['sid']}-{cls}", "", "", cls, ORG, t["sid"], "teacher", "true", "", ""]
                   for cls in t["classes"]]
    for p in roster:
        for cls in [f"reg-{p['reg']}"] + p["classes"]:
            enrollments.append([f"enr-{p['sid']}-{cls}", "", "", cls, ORG, p["sid"], "student",
                                "true" if cls.startswith("reg-") else "false", "", ""])
    write(os.path.join(d, "enrollments.csv"),
          ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
           "userSourcedId", "role", "primary", "beginDate", "endDate"], enrollments)
    write(os.path.join(d, "demographics.csv"),
          ["sourcedId", "status", "dateLastModified", "birthDate", "sex"],
          [[p["sid"], "", "", p["dob"], p["sex"]] for p in roster])


def main(args):
    assert make_upn("801200005001") == "B801200005001"  # the example in FORMATS.md
    assert not is_valid_upn("A801200005001")
    if args[:1] == ["--upn"]:
        for body in args[1:]:
            print(make_upn(body))
        return 0
    if args[:1] == ["--check"]:
        bad = [u for u in args[1:] if not is_valid_upn(u)]
        for u in bad:
            print(f"invalid: {u}")
        return 1 if bad else 0
    pupils = TERM1 + JOINERS
    assert all(is_valid_upn(p["upn"]) for p in pupils)
    upns = [p["upn"] for p in pupils]
    assert len(set(upns)) == len(upns), "duplicate UPN"
    write_oneroster("term1", TERM1)
    write_oneroster("term2", term2_roster())
    write(os.path.join(HERE, "hub_seed.csv"), HUB_COLUMNS, HUB_SEED)
    print(f"term1: {len(TERM1)} pupils; term2: {len(term2_roster())}; "
          f"hub seed: {len(HUB_SEED)}; added between the syncs: {len(BETWEEN_SYNCS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
