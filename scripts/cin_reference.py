#!/usr/bin/env python3
"""An independent reading of cin.md: the seven figures from a children in
need census, written from the contract's words alone, to check the
program's figures against (src/cin/reference.rs runs both).

Usage: cin_reference.py CENSUS.xml QUARTER_END BANK_HOLIDAYS.csv
  QUARTER_END  the quarter's last day, yyyy-mm-dd (E)
Prints JSON: {"children": n, "left_out": n, "figures": {"TS2": [num, den], ...}}
(den is null for TS22, a count of children). Standard library only.
"""
import calendar
import csv
import datetime as dt
import json
import re
import sys
from collections import Counter
import xml.etree.ElementTree as ET

DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def local(tag):
    return tag.rsplit("}", 1)[-1]


def kids(element, name):
    return [e for e in element if local(e.tag) == name]


def value(element, name):
    """The first such child element's text, trimmed; '' when missing."""
    for e in element:
        if local(e.tag) == name:
            return (e.text or "").strip()
    return ""


def child_id(child):
    """The child's first ChildIdentifiers/LAchildID, trimmed; '' if none."""
    for identifiers in kids(child, "ChildIdentifiers"):
        for e in kids(identifiers, "LAchildID"):
            return (e.text or "").strip()
    return ""


def date_of(text):
    """A real yyyy-mm-dd date, or None; raises ValueError when not one."""
    if text == "":
        return None
    if not DATE.match(text):
        raise ValueError(text)
    return dt.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))


def add_months(day, months):
    """Calendar months; a day past the month's end becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def read_holidays(path):
    days = set()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if not row or row[0].strip().startswith("#"):
                continue
            try:
                days.add(dt.date.fromisoformat(row[0].strip()))
            except ValueError:
                pass  # the header line
    return days


def working_days(start, end, holidays):
    """Working days after start, up to and including end."""
    n = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        if day.weekday() < 5 and day not in holidays:
            n += 1
        day += dt.timedelta(days=1)
    return n


def yes_no(text):
    t = text.lower()
    if t in ("true", "1"):
        return True
    if t in ("false", "0", ""):
        return False
    raise ValueError(text)


def read_child(child):
    """The child's referrals, assessments, enquiries and plans, or
    ValueError when the contract leaves the child out."""
    referrals, assessments, enquiries, plans = [], [], [], []
    for cin in kids(child, "CINdetails"):
        referred = date_of(value(cin, "CINreferralDate"))
        closed = date_of(value(cin, "CINclosureDate"))
        date_of(value(cin, "DateOfInitialCPC"))
        if referred is None:
            raise ValueError("no referral date")
        if closed is not None and closed < referred:
            raise ValueError("closed before referred")
        yes_no(value(cin, "ReferralNFA"))
        referrals.append((referred, closed))
        for a in kids(cin, "Assessments"):
            start = date_of(value(a, "AssessmentActualStartDate"))
            done = date_of(value(a, "AssessmentAuthorisationDate"))
            if start is None or (done is not None and done < start):
                raise ValueError("assessment")
            assessments.append((start, done))
        for s in kids(cin, "Section47"):
            start = date_of(value(s, "S47ActualStartDate"))
            cpc = date_of(value(s, "DateOfInitialCPC"))
            if start is None or (cpc is not None and cpc < start):
                raise ValueError("section 47")
            not_required = yes_no(value(s, "ICPCnotRequired"))
            enquiries.append((start, cpc, not_required))
        for p in kids(cin, "ChildProtectionPlans"):
            start = date_of(value(p, "CPPstartDate"))
            end = date_of(value(p, "CPPendDate"))
            if start is None or (end is not None and end < start):
                raise ValueError("plan")
            previous = value(p, "NumberOfPreviousCPP")
            if not re.match(r"^[0-9]+$", previous):
                raise ValueError("previous plans")
            reviews = []
            for r in p.iter():
                if local(r.tag) != "CPPreviewDate":
                    continue
                day = date_of((r.text or "").strip())
                if day is None or day <= start or (end is not None and day > end):
                    raise ValueError("review")
                reviews.append(day)
            plans.append((start, end, int(previous), sorted(reviews)))
    ordered = sorted(plans, key=lambda p: p[0])
    for i, later in enumerate(ordered):
        for earlier in ordered[:i]:
            if earlier[1] is None or later[0] <= earlier[1]:
                raise ValueError("plans overlap")
    return referrals, assessments, enquiries, plans


def figures(children, end, holidays):
    first = dt.date(end.year if end.month >= 4 else end.year - 1, 4, 1)

    def in_year(day):
        return day is not None and first <= day <= end

    counts = {r: [0, 0] for r in ("TS2", "TS3", "TS4", "TS5", "TS6", "TS23")}
    on_plan = 0
    for referrals, assessments, enquiries, plans in children:
        for start, done in assessments:
            if in_year(done):
                counts["TS2"][1] += 1
                counts["TS2"][0] += working_days(start, done, holidays) <= 45
        for start, cpc, not_required in enquiries:
            if in_year(cpc) and not not_required:
                counts["TS3"][1] += 1
                counts["TS3"][0] += working_days(start, cpc, holidays) <= 15
        current = [p for p in plans if p[0] <= end and (p[1] is None or p[1] > end)]
        if current:
            on_plan += 1
            start, _, _, reviews = current[0]
            if start <= add_months(end, -3):
                counts["TS4"][1] += 1
                due, in_time = add_months(start, 3), True
                for held in [r for r in reviews if r <= end]:
                    if held > due:
                        in_time = False
                    due = add_months(held, 6)
                counts["TS4"][0] += in_time and due >= end
        for start, finish, previous, _ in plans:
            if in_year(finish):
                counts["TS5"][1] += 1
                counts["TS5"][0] += finish >= add_months(start, 24)
            if in_year(start):
                counts["TS6"][1] += 1
                again = previous >= 1 or any(p[0] < start for p in plans)
                counts["TS6"][0] += again
        for referred, _ in referrals:
            if in_year(referred):
                counts["TS23"][1] += 1
                since = add_months(referred, -12)
                counts["TS23"][0] += any(since <= d < referred for d, _ in referrals)
    out = {r: [n, d] for r, (n, d) in counts.items()}
    out["TS22"] = [on_plan, None]
    return out


def main():
    path, end, holidays_path = sys.argv[1], sys.argv[2], sys.argv[3]
    end = dt.date.fromisoformat(end)
    holidays = read_holidays(holidays_path)
    root = ET.parse(path).getroot()
    elements = [c for group in kids(root, "Children") for c in kids(group, "Child")]
    ids = [child_id(c) for c in elements]
    times = Counter(ids)
    children, left_out = [], 0
    for c, the_id in zip(elements, ids):
        try:
            if the_id == "" or times[the_id] > 1:
                raise ValueError("id")
            children.append(read_child(c))
        except ValueError:
            left_out += 1
    print(json.dumps({
        "children": len(elements),
        "left_out": left_out,
        "figures": figures(children, end, holidays),
    }))


if __name__ == "__main__":
    main()
