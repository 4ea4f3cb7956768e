#!/usr/bin/env python3
"""Writes the Riverside Academy demo data (see README.md in this folder):
term1/ and term2/ (OneRoster 1.2 CSV sets) and hub_seed.csv.

The output is committed; run this again only after changing the tables below:
  python3 scripts/demo_data/make_demo_data.py
"""
import csv
import os

from make_upn import demo_upn, is_valid

HERE = os.path.dirname(os.path.abspath(__file__))
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


# One MIS pupil: sourcedId, legal forename, surname, preferred forename,
# dob, sex, year, reg group, subject class ids, UPN serial, has email.
def pupil(sid, given, family, dob, sex, year, reg, classes, serial,
          preferred="", email=False):
    return dict(sid=sid, given=given, family=family, preferred=preferred,
                dob=dob, sex=sex, year=year, reg=reg, classes=classes,
                upn=demo_upn(2017 if year == "7" else 2016, serial),
                email=f"{(preferred or given).lower()}.{family.lower()}@{EMAIL_DOMAIN}"
                if email else "")


MA7, EN7, MA8, SC8 = "cls-7x-Ma1", "cls-7y-En1", "cls-8x-Ma1", "cls-8x-Sc1"

TERM1 = [
    # Year 7, 7A
    pupil("stu-001", "Oliver", "Bennett", "2013-10-14", "male", "7", "7A", [MA7, EN7], 1, email=True),
    pupil("stu-002", "Amelia", "Clarke", "2014-02-03", "female", "7", "7A", [MA7], 2, email=True),
    pupil("stu-003", "Harry", "Dawson", "2013-12-19", "male", "7", "7A", [EN7], 3),
    pupil("stu-004", "Isla", "Evans", "2014-05-27", "female", "7", "7A", [MA7, EN7], 4),
    pupil("stu-005", "Mohammed", "Farooq", "2014-07-08", "male", "7", "7A", [MA7], 5,
          preferred="Mo"),
    pupil("stu-006", "Chloe", "Green", "2013-09-30", "female", "7", "7A", [EN7], 6),
    pupil("stu-007", "Leo", "Harris", "2014-03-11", "male", "7", "7A", [MA7], 7),
    # Year 7, 7B
    pupil("stu-008", "Ava", "Hussain", "2013-11-22", "female", "7", "7B", [EN7], 8),
    pupil("stu-009", "Jacob", "Ingram", "2014-01-05", "male", "7", "7B", [MA7], 9),
    pupil("stu-010", "Freya", "Jones", "2014-06-16", "female", "7", "7B", [MA7, EN7], 10),
    pupil("stu-011", "Ethan", "Lewis", "2013-08-20", "male", "7", "7B", [EN7], 11),
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

LEAVERS = {"stu-010", "stu-016"}  # Freya Jones, Ruby Quinn
JOINERS = [
    # Matched by hand to the hub's "Kaz Nowak" (the matcher cannot know Kaz).
    pupil("stu-021", "Katarzyna", "Nowak", "2013-02-08", "female", "8", "8A", [MA8], 24,
          preferred="Kasia"),
    # May match: the hub has her under her old surname, Grace Taylor.
    pupil("stu-022", "Grace", "Whitfield", "2014-01-28", "female", "7", "7B", [EN7], 13,
          email=True),
    # May match, wrongly: the hub's Jack Wilson (no date of birth) is another boy.
    pupil("stu-023", "Jack", "Wilson", "2013-10-02", "male", "7", "7A", [MA7], 14),
    # Matched: the office adds him by hand (learner create) before the sync.
    pupil("stu-024", "Noah", "Patel", "2014-04-17", "male", "7", "7B", [MA7, EN7], 15),
    # New: nobody on the hub.
    pupil("stu-025", "Lily", "Young", "2012-09-13", "female", "8", "8A", [SC8], 25, email=True),
]


def term2_roster():
    out = []
    for p in TERM1:
        if p["sid"] in LEAVERS:
            continue
        p = dict(p)
        if p["sid"] == "stu-007":  # Leo Harris moves from 7A to 7B
            p["reg"] = "7B"
        if p["sid"] == "stu-011":  # Ethan Lewis: summer-born, corrected to Year 8
            p["year"], p["reg"], p["classes"] = "8", "8A", [MA8, SC8]
        out.append(p)
    return out + JOINERS


# Hand-made hub records (docs/FORMATS.md, hub learner CSV). Most are older,
# typed-in copies of the MIS pupils; four have no term-1 MIS counterpart.
def hub(forename, surname, dob="", gender="", upn_of=None, year="", reg="", classes="",
        preferred_forename="", email=""):
    upn = next(p["upn"] for p in TERM1 if p["sid"] == upn_of) if upn_of else ""
    return [forename, surname, preferred_forename, "", dob, gender, upn, year, reg, classes, email]


HUB_SEED = [
    hub("Olly", "Bennett", upn_of="stu-001", gender="M", year="7", reg="7A"),  # UPN; nickname; no dob
    hub("Amelia", "Clarke", "2014-02-03", "F", year="7", reg="7A"),  # names + dob
    hub("Harry", "Dawson", "2013-12-19", "M", upn_of="stu-003", year="7", reg="7A"),
    hub("Isla", "Evans", "2014-05-27", "F", year="7", reg="7A", classes="7x/Ma1"),
    hub("Mo", "Farooq", upn_of="stu-005", gender="M", year="7", reg="7A"),  # UPN; known-as name
    hub("Leo", "Harris", "2014-03-11", "M", year="7", reg="7A"),
    hub("Ava", "Hussain", "2013-11-22", "F", upn_of="stu-008", year="7", reg="7B"),
    hub("Freya", "Jones", "2014-06-16", "F", year="7", reg="7B", classes="7x/Ma1;7y/En1"),
    hub("Ethan", "Lewis", "2013-08-20", "M", upn_of="stu-011", year="7", reg="7B"),
    hub("George", "Nelson", "2012-10-07", "M", upn_of="stu-013", year="8", reg="8A"),
    hub("Sophie", "Owen", "2013-01-19", "F", upn_of="stu-014", year="8", reg="8A"),
    hub("Daniel", "Price", "2012-12-01", "M", year="8", reg="8A"),
    hub("Ruby", "Quinn", "2013-03-14", "F", upn_of="stu-016", year="8", reg="8A"),
    hub("Maya", "Shah", "2012-11-11", "F", year="8", reg="8A", classes="8x/Sc1"),
    hub("Amir", "Khan", "2013-06-02", "M", upn_of="stu-019", year="8", reg="8A"),  # twins:
    hub("Aisha", "Khan", "2013-06-02", "F", upn_of="stu-020", year="8", reg="8A"),  # same dob
    # No term-1 MIS counterpart:
    hub("Kaz", "Nowak", "", "F", year="8", reg="8A"),  # Katarzyna "Kasia" Nowak, joins in term 2
    hub("Grace", "Taylor", "2014-01-28", "F", year="7", reg="7B"),  # joins as Grace Whitfield
    hub("Jack", "Wilson", "", "M", year="7", reg="7A"),  # a different Jack Wilson
    hub("Evie", "Marsh", "", "F", year="8", reg="8A", email="evie.marsh@example.com"),  # never on roll
]

HUB_COLUMNS = ["legal_forename", "legal_surname", "preferred_forename", "preferred_surname",
               "date_of_birth", "gender", "upn", "year_group", "registration_group", "classes",
               "email"]


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
    write(os.path.join(d, "users.csv"),
          ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
           "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
           "agentSourcedIds", "grades", "password", "userMasterIdentifier",
           "preferredGivenName", "preferredMiddleName", "preferredFamilyName",
           "primaryOrgSourcedId", "pronouns"],
          [[p["sid"], "", "", "true", p["sid"], f"{{UPN:{p['upn']}}}", p["given"], p["family"],
            "", p["upn"], p["email"], "", "", "", f"{int(p['year']):02d}", "", p["upn"],
            p["preferred"], "", "", ORG, ""] for p in roster])
    write(os.path.join(d, "roles.csv"),
          ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
           "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"],
          [[f"role-{p['sid']}", "", "", p["sid"], "primary", "student", "", "", ORG, ""]
           for p in roster])
    write(os.path.join(d, "classes.csv"),
          ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
           "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
           "subjects", "subjectCodes", "periods"],
          [[sid, "", "", title, grade, "", title, kind, "", ORG, TERM, "", "", ""]
           for sid, title, grade, kind in CLASSES])
    enrollments = []
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


def main():
    for p in TERM1 + JOINERS:
        assert is_valid(p["upn"]), p
    upns = [p["upn"] for p in TERM1 + JOINERS]
    assert len(set(upns)) == len(upns)
    write_oneroster("term1", TERM1)
    write_oneroster("term2", term2_roster())
    write(os.path.join(HERE, "hub_seed.csv"), HUB_COLUMNS, HUB_SEED)
    print(f"term1: {len(TERM1)} pupils; term2: {len(term2_roster())}; hub seed: {len(HUB_SEED)}")


if __name__ == "__main__":
    main()
