#!/usr/bin/env python3
"""The quarterly run as an analyst would script it with openpyxl and reportlab.

The yardstick of `cargo bench --bench reference`: reads every return under
--inputs, checks it, combines the latest quarter's figures into borough
figures, judges them, and writes OUTPUT/<quarter>/committee-report.pdf,
scorecard.xlsx and data/indicators.csv. README.md beside it says what it
leaves out.
"""

import time

STARTED = time.perf_counter()  # before the other imports, so that their time is counted

import argparse
import csv
import datetime as dt
import json
import math
import re
import sys
import tomllib
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)

RAG_COLOURS = {"Green": "C6EFCE", "Amber": "FFEB9C", "Red": "FFC7CE"}


# ---------------------------------------------------------------- periods

def parse_period(text):
    """(start year, quarter) from '2014-15 Q2', '2014/15 Q2', 'Q2 2014-15',
    '2014-15 Quarter 2' or '2014-15-Q2'; raises ValueError otherwise."""
    norm = " ".join(str(text).lower().split())
    m = (re.fullmatch(r"(\d{4})[-/](\d{2})(?: q|-q| quarter )(\d)", norm)
         or re.fullmatch(r"q(\d) (\d{4})[-/](\d{2})", norm))
    if not m:
        raise ValueError(f'"{text}" is not a period; write it as 2014-15 Q2')
    if norm.startswith("q"):
        quarter, first, second = m.groups()
    else:
        first, second, quarter = m.groups()
    year, quarter = int(first), int(quarter)
    if (year + 1) % 100 != int(second):
        raise ValueError(f'"{text}": the years do not follow on ({year}-{(year + 1) % 100:02d}?)')
    if not 1 <= quarter <= 4:
        raise ValueError(f'"{text}": the quarter must be 1 to 4')
    return (year, quarter)


def label(period):
    year, quarter = period
    return f"{year}-{(year + 1) % 100:02d} Q{quarter}"


def period_id(period):
    return label(period).replace(" ", "-")


def previous(period):
    year, quarter = period
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def trailing(period, n):
    out = [period]
    while len(out) < n:
        out.append(previous(out[-1]))
    return out[::-1]


# ---------------------------------------------------------------- numbers

def round_half_away(value, decimals):
    """Excel's ROUND, on the shortest decimal form of the value (so 12.35 -> 12.4)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def display(value, measure):
    if value is None:
        return "No data"
    decimals = 0 if measure == "count" else 1
    text = f"{round_half_away(value, decimals):,.{decimals}f}"
    return text + "%" if measure == "percent" else text


def plain(x):
    """A number as the CSV shows it: 12 rather than 12.0."""
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")


class BadCell(Exception):
    pass


def number(v):
    """A figure from a cell value: None when blank; BadCell when not a number."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise BadCell(f"is {'TRUE' if v else 'FALSE'}, not a number")
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        raise BadCell("is a date, not a number; format the cell as a number")
    if isinstance(v, (int, float)):
        if not math.isfinite(v):
            raise BadCell("is not a finite number")
        return float(v)
    text = "".join(str(v).split())
    if not text:
        return None
    if text.startswith("#"):
        raise BadCell(f"shows the spreadsheet error {text}; fix the formula or type the figure")
    if "," in text and not THOUSANDS.fullmatch(text):
        raise BadCell(f'is "{v}"; commas may only separate thousands (1,234)')
    text = text.replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        if text.endswith("%"):
            raise BadCell(f'is "{v}", a percentage; enter the count, not the percentage')
        raise BadCell(f'is "{v}", which is not a number; enter digits only (e.g. 120)')
    return float(text)


def submitted_at(v):
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime.combine(v, dt.time())
    if isinstance(v, (int, float)) and 36526 <= v < 73051:
        return from_excel(v)  # a date cell that lost its date format (2000 to 2099)
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(str(v).strip(), fmt)
        except ValueError:
            pass
    raise ValueError(f'"{v}" is not a date; write it as 14/10/2014')


def email(value):
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", str(value).strip()):
        raise ValueError(f'"{value}" does not look like an email address')
    return str(value).strip()


# ---------------------------------------------------------------- templates

def load_templates(folder):
    def read(name):
        with open(folder / name, "rb") as f:
            return tomllib.load(f)

    settings = read("scorecard.toml")
    indicators = read("indicators.toml")["indicator"]
    services = [s["name"] for s in read("services.toml")["service"]]
    meeting = read("meeting.toml")
    for ind in indicators:
        unknown = [s for s in ind["services"] if s not in services]
        if unknown:
            sys.exit(f"templates/indicators.toml: {ind['ref']} names unknown services {unknown}")
    return settings, indicators, services, meeting


# ---------------------------------------------------------------- reading

def sheet_named(book, wanted):
    for name in book.sheetnames:
        if name.strip().lower() == wanted:
            return book[name]
    return None


def read_return(path, indicators, services):
    """Reads and checks one return. Returns a dict with its cover, figures
    and problems; any error means the return is rejected."""
    ret = {"file": path.name, "errors": [], "warnings": [], "figures": {},
           "service": None, "period": None, "submitted": None}
    err = ret["errors"].append
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # damaged, password-protected or not a workbook at all
        err(f"cannot be opened as a workbook ({e.__class__.__name__}: {e})")
        return ret
    try:
        cover_sheet = sheet_named(book, "return")
        if cover_sheet is None:
            err("has no Return sheet (the cover)")
            return ret
        cover = {}
        for r, row in enumerate(cover_sheet.iter_rows(values_only=True), start=1):
            for c, cell in enumerate(row):
                if isinstance(cell, str):
                    key = cell.strip().rstrip(":").strip().lower()
                    if key in ("service", "period", "prepared by", "email", "submitted") \
                            and key not in cover:
                        value = row[c + 1] if c + 1 < len(row) else None
                        cover[key] = (value, f"Return!{get_column_letter(c + 2)}{r}")

        def known_service(value):
            match = [s for s in services if s.lower() == str(value).strip().lower()]
            if not match:
                raise ValueError(f'"{value}" is not a known service')
            return match[0]

        for key, parse in (("service", known_service), ("period", parse_period),
                           ("prepared by", str), ("submitted", submitted_at), ("email", email)):
            value, where = cover.get(key, (None, "Return"))
            if value is None or str(value).strip() == "":
                if key != "email":
                    err(f"{where}: {key.capitalize()} is missing or blank")
                continue
            try:
                ret[key] = parse(value)
            except ValueError as e:
                err(f"{where}: {e}")

        sheet = sheet_named(book, "indicators")
        expected = [i for i in indicators if ret["service"] in i["services"]]
        if sheet is None:
            if expected:
                err("has no Indicators sheet")
            return ret
        read_figures(sheet, ret, {i["ref"]: i for i in indicators}, expected)
    finally:
        book.close()
    return ret


def read_figures(sheet, ret, catalogue, expected):
    err, warn = ret["errors"].append, ret["warnings"].append
    columns = None
    for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if columns is None:
            heads = [str(v).strip().lower() if v is not None else "" for v in row]
            if "ref" in heads:
                columns = {h: c for c, h in enumerate(heads) if h}
            continue
        get = lambda h: row[columns[h]] if h in columns and columns[h] < len(row) else None  # noqa: E731
        at = lambda h: f"Indicators!{get_column_letter(columns.get(h, 0) + 1)}{r}"  # noqa: E731
        raw_ref = get("ref")
        if raw_ref is None or not str(raw_ref).strip():
            continue  # blank row
        ref = "".join(str(raw_ref).split()).upper()
        ind = catalogue.get(ref)
        if ind is None:
            err(f"{at('ref')}: {raw_ref} is not an indicator on the scorecard")
            continue
        if ref in ret["figures"]:
            err(f"{at('ref')}: {ref} appears twice")
            continue
        if ret["service"] and ret["service"] not in ind["services"]:
            warn(f"{at('ref')}: {ref} is not returned by {ret['service']}; row ignored")
            continue
        measure = ind["measure"]
        figures, bad = {}, False
        for h in ("numerator", "denominator", "value"):
            try:
                n = number(get(h))
            except BadCell as e:
                err(f"{at(h)}: {h.capitalize()} for {ref} {e}")
                bad = True
                continue
            if n is not None and n < 0:
                err(f"{at(h)}: {h.capitalize()} for {ref} is negative")
                bad = True
            elif n is not None and h != "value" and not n.is_integer() \
                    and not (h == "numerator" and measure == "average"):
                err(f"{at(h)}: {h.capitalize()} for {ref} must be a whole number")
                bad = True
            figures[h] = n
        if bad:
            continue
        commentary = get("commentary")
        commentary = str(commentary).strip() if commentary is not None else ""
        num, den, val = figures["numerator"], figures["denominator"], figures["value"]
        if num is None and den is None and val is None:
            if commentary:
                ret["figures"][ref] = {"no_data": True, "commentary": commentary}
            else:
                err(f"{at('commentary')}: {ref} has no figures and no commentary saying why")
            continue
        needed = {"percent": ("numerator", "denominator"), "average": ("numerator", "denominator"),
                  "rate10k": ("numerator",), "count": ("value",)}[measure]
        missing = [h for h in needed if figures[h] is None]
        if missing:
            err(f"{at(missing[0])}: {ref} needs {' and '.join(needed)}; {missing[0]} is blank")
            continue
        if measure in ("percent", "average") and den == 0:
            err(f"{at('denominator')}: Denominator for {ref} is 0")
            continue
        if measure == "percent" and num > den:
            err(f"{at('numerator')}: Numerator {plain(num)} is larger than Denominator {plain(den)} for {ref}")
            continue
        if val is not None and measure in ("percent", "average") \
                and abs(val - (num * 100 / den if measure == "percent" else num / den)) > 0.1:
            err(f"{at('value')}: Value {plain(val)} for {ref} does not match Numerator and Denominator")
            continue
        ret["figures"][ref] = {"no_data": False, "numerator": num, "denominator": den,
                               "value": val, "commentary": commentary}
    if columns is None:
        err("Indicators: no header row with a Ref column")
        return
    for ind in expected:
        if ind["ref"] not in ret["figures"]:
            warn(f"Indicators: {ind['ref']} is missing from the return")


def settle_resubmissions(returns):
    """Keeps the latest-submitted accepted return per service and quarter."""
    by_key = defaultdict(list)
    for ret in returns:
        if not ret["errors"]:
            by_key[(ret["service"], ret["period"])].append(ret)
    accepted = {}
    for key, rets in by_key.items():
        rets.sort(key=lambda r: r["submitted"], reverse=True)
        if len(rets) > 1 and rets[0]["submitted"] == rets[1]["submitted"]:
            for r in rets:
                if r["submitted"] == rets[0]["submitted"]:
                    r["errors"].append("has the same Submitted date and time as another return "
                                       "for the same service and quarter")
            continue
        accepted[key] = rets[0]
        for r in rets[1:]:
            r["superseded"] = True
    return accepted


# ---------------------------------------------------------------- combining

def borough_figure(ind, period, accepted, rejected, population):
    sums = {"numerator": None, "denominator": None, "value": None}
    contributors, gaps = [], []
    for service in ind["services"]:
        ret = accepted.get((service, period))
        if ret is None:
            gaps.append(f"the {service} return was rejected" if (service, period) in rejected
                        else f"no return from {service}")
            continue
        fig = ret["figures"].get(ind["ref"])
        if fig is None:
            gaps.append(f"not included in the {service} return")
        elif fig["no_data"]:
            gaps.append(f"no data from {service}: {fig['commentary']}")
        else:
            for k in sums:
                if fig[k] is not None:
                    sums[k] = (sums[k] or 0.0) + fig[k]
            contributors.append(service)
    num, den, value = sums["numerator"], sums["denominator"], None
    if contributors:
        measure = ind["measure"]
        if measure == "percent" and den:
            value = num * 100.0 / den
        elif measure == "average" and den:
            value = num / den
        elif measure == "rate10k" and num is not None:
            value = num * 10000.0 / population
        elif measure == "count":
            value = sums["value"]
    rounded = round_half_away(value, 0 if ind["measure"] == "count" else 1) \
        if value is not None else None
    rag = None
    if rounded is not None and "target" in ind and ind["polarity"] != "none":
        target, tolerance = Decimal(str(ind["target"])), Decimal(str(ind.get("tolerance", 0)))
        if ind["polarity"] == "higher":
            rag = "Green" if rounded >= target else "Amber" if rounded >= target - tolerance else "Red"
        else:
            rag = "Green" if rounded <= target else "Amber" if rounded <= target + tolerance else "Red"
    return {"period": period, "numerator": num if contributors else None,
            "denominator": den if contributors else None, "value": value, "rounded": rounded,
            "display": display(value, ind["measure"]), "rag": rag, "direction": None,
            "contributors": contributors, "gaps": gaps}


def combine_all(indicators, periods, accepted, rejected, population):
    table = {}
    for ind in indicators:
        row, before = {}, None
        for p in periods:
            o = borough_figure(ind, p, accepted, rejected, population)
            if o["rounded"] is not None and before is not None and before["period"] == previous(p) \
                    and before["rounded"] is not None:
                now, then = o["rounded"], before["rounded"]
                if now == then:
                    o["direction"] = "unchanged"
                elif ind["polarity"] == "none":
                    o["direction"] = "up" if now > then else "down"
                else:
                    o["direction"] = "improved" if (now > then) == (ind["polarity"] == "higher") \
                        else "worsened"
            row[p] = before = o
        table[ind["ref"]] = row
    return table


# ---------------------------------------------------------------- outputs

def write_csv(path, indicators, table, history):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["period", "ref", "numerator", "denominator", "value", "target", "rag",
                    "direction", "status", "display", "indicator", "services", "note"])
        for p in history:
            for ind in indicators:
                o = table[ind["ref"]][p]
                w.writerow([label(p), ind["ref"], plain(o["numerator"]), plain(o["denominator"]),
                            plain(o["value"]), plain(ind.get("target")), o["rag"] or "",
                            o["direction"] or "", "ok" if o["value"] is not None else "no data",
                            o["display"], ind["title"], "; ".join(o["contributors"]),
                            "; ".join(o["gaps"])])


def write_xlsx(path, indicators, table, shown, returns):
    book = Workbook()
    ws = book.active
    ws.title = "Scorecard"
    heads = ["Ref", "Indicator"] + [label(p) for p in shown] + ["Target", "RAG", "Direction"]
    ws.append(heads)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for ind in indicators:
        fmt = "0" if ind["measure"] == "count" else '0.0"%"' if ind["measure"] == "percent" else "0.0"
        outcomes = [table[ind["ref"]][p] for p in shown]
        now = outcomes[-1]
        ws.append([ind["ref"], ind["title"]]
                  + [float(o["rounded"]) if o["rounded"] is not None else "No data" for o in outcomes]
                  + [ind.get("target"), now["rag"] or "", now["direction"] or ""])
        r = ws.max_row
        for c, o in enumerate(outcomes, start=3):
            ws.cell(r, c).number_format = fmt
            if o["rag"]:
                ws.cell(r, c).fill = PatternFill("solid", fgColor=RAG_COLOURS[o["rag"]])
        if now["rag"]:
            ws.cell(r, len(heads) - 1).fill = PatternFill("solid", fgColor=RAG_COLOURS[now["rag"]])
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions
    ws.column_dimensions["B"].width = 60
    for c in range(3, len(heads) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 12
    rs = book.create_sheet("Returns")
    rs.append(["File", "Service", "Period", "Status", "Errors", "Warnings"])
    for ret in returns:
        status = ("superseded" if ret.get("superseded") else
                  "rejected" if ret["errors"] else "accepted")
        rs.append([ret["file"], ret["service"], label(ret["period"]) if ret["period"] else "",
                   status, len(ret["errors"]), len(ret["warnings"])])
    rs.column_dimensions["A"].width = 40
    rs.column_dimensions["B"].width = 32
    book.save(path)


def chart_drawing(chart, categories, title):
    """A chart 16 cm wide with its quarters along the bottom and a title above."""
    d = Drawing(160 * mm, 55 * mm)
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 10 * mm, 135 * mm, 38 * mm
    chart.categoryAxis.categoryNames = categories
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    d.add(chart)
    d.add(String(15 * mm, 51 * mm, title[:95], fontSize=8))
    return d


def line_chart(ind, outcomes):
    chart = HorizontalLineChart()
    chart.data = [[float(o["rounded"]) if o["rounded"] is not None else None for o in outcomes]]
    chart.lines[0].strokeColor, chart.lines[0].strokeWidth = colors.HexColor("#1F4E79"), 1.5
    if "target" in ind:
        chart.data.append([float(ind["target"])] * len(outcomes))
        chart.lines[1].strokeColor = colors.HexColor("#C00000")
        chart.lines[1].strokeDashArray = [3, 2]
    chart.valueAxis.valueMax = max([v for v in sum(chart.data, []) if v is not None] + [1]) * 1.15
    return chart_drawing(chart, [label(o["period"]) for o in outcomes],
                         f"{ind['ref']}: {ind['title']}")


def rag_bar_chart(indicators, table, shown):
    chart = VerticalBarChart()
    chart.data = []
    for n, (rag, colour) in enumerate((("Green", "#00B050"), ("Amber", "#FFC000"),
                                       ("Red", "#C00000"))):
        chart.data.append([sum(1 for i in indicators if table[i["ref"]][p]["rag"] == rag)
                           for p in shown])
        chart.bars[n].fillColor = colors.HexColor(colour)
    return chart_drawing(chart, [label(p) for p in shown],
                         "Indicators rated Green, Amber and Red by quarter")


def write_pdf(path, settings, meeting, indicators, table, shown, period, counts, returns):
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=10,
                          leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9)
    h1, h2 = styles["Heading1"], styles["Heading2"]
    story = [Paragraph(settings["name"].upper(), h1),
             Paragraph(f"REPORT FOR: {meeting['committee'].upper()}", h2)]
    heading = [["Date of meeting", meeting["date_of_meeting"]],
               ["Subject", meeting["subject"].replace("{{ period }}", label(period))],
               ["Responsible officer", meeting["responsible_officer"]],
               ["Portfolio holder", meeting["portfolio_holder"]],
               ["Exempt", meeting["exempt"]], ["Wards", meeting["wards"]]]
    t = Table([[Paragraph(a, body), Paragraph(b, body)] for a, b in heading],
              colWidths=[45 * mm, 125 * mm])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                           ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#DDEBF7"))]))
    story += [t, Spacer(1, 6 * mm)]
    if settings.get("sample_data"):
        story.append(Paragraph("<b>The figures in this report are sample data, not real.</b>", body))
    story += [Paragraph("1. Summary", h2), Paragraph(
        f"This report sets out performance against the {len(indicators)} indicators of the "
        f"Children and Families scorecard for {label(period)}. {counts['Green']} are Green, "
        f"{counts['Amber']} Amber and {counts['Red']} Red against their targets; "
        f"{counts['not rated']} are shown for context and {counts['no data']} have no data. "
        f"Since last quarter {counts['improved']} improved and {counts['worsened']} worsened.", body),
        Paragraph("2. Recommendation", h2), Paragraph(
        f"That the {meeting['committee']} notes the performance set out in the scorecard and "
        "the actions being taken where indicators are below target.", body)]
    for title, rag in (("3. Strengths", "Green"), ("4. Areas for improvement", "Red")):
        story.append(Paragraph(title, h2))
        for ind in indicators:
            o = table[ind["ref"]][period]
            if o["rag"] == rag:
                sentence = ind["statement"].replace("{value}", o["display"])
                story.append(Paragraph(
                    f"&bull; {ind['ref']}: {sentence[0].upper() + sentence[1:]} (target "
                    f"{plain(ind['target'])}{'%' if ind['measure'] == 'percent' else ''}"
                    f"{', ' + o['direction'] if o['direction'] else ''}).", body))
    mine = [r for r in returns if r["period"] == period]
    rejected = [r for r in mine if r["errors"]]
    story += [Paragraph("5. Data quality", h2), Paragraph(
        f"{len(mine)} returns were received for {label(period)}; {len(rejected)} were rejected "
        f"and {sum(1 for r in mine if r.get('superseded'))} superseded by a later return.", body)]
    for r in rejected:
        story.append(Paragraph(f"&bull; {r['file']}: {r['errors'][0]}", body))

    story.append(Paragraph("6. The scorecard", h2))
    heads = ["Ref", "Indicator"] + [label(p) for p in shown] + ["Target", "RAG", "Direction"]
    rows = [[Paragraph(f"<b>{h}</b>", small) for h in heads]]
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
             ("FONTSIZE", (0, 0), (-1, -1), 7.5), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    for r, ind in enumerate(indicators, start=1):
        outcomes = [table[ind["ref"]][p] for p in shown]
        now = outcomes[-1]
        target = "" if "target" not in ind else \
            plain(ind["target"]) + ("%" if ind["measure"] == "percent" else "")
        rows.append([ind["ref"], Paragraph(ind["title"], small)] + [o["display"] for o in outcomes]
                    + [target, now["rag"] or "", now["direction"] or ""])
        for c, o in enumerate(outcomes + [now], start=2):
            if o["rag"]:
                col = c if c < 2 + len(outcomes) else len(heads) - 2
                style.append(("BACKGROUND", (col, r), (col, r),
                              colors.HexColor("#" + RAG_COLOURS[o["rag"]])))
    widths = [10 * mm, 46 * mm] + [15 * mm] * len(shown) + [14 * mm, 12 * mm, 17 * mm]
    table_flow = Table(rows, colWidths=widths, repeatRows=1)
    table_flow.setStyle(TableStyle(style))
    story.append(table_flow)

    story += [Paragraph("7. Trends", h2), rag_bar_chart(indicators, table, shown)]
    charted = [i for i in indicators
               if i["ref"] in settings.get("charts", []) or table[i["ref"]][period]["rag"] == "Red"]
    for ind in charted:
        outcomes = [table[ind["ref"]][p] for p in shown]
        words = ", ".join(f"{label(o['period'])} {o['display']}" for o in outcomes)
        caption = Paragraph(f"Figure: {ind['ref']} over the last {len(outcomes)} quarters: "
                            f"{words}.", small)
        if sum(1 for o in outcomes if o["rounded"] is not None) < 2:
            story.append(caption)  # a line needs two points: the figures in words only
        else:
            story.append(KeepTogether([line_chart(ind, outcomes), caption]))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(20 * mm, 10 * mm, f"{settings['name']} - {label(period)}")
        canvas.drawRightString(190 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm,
                            title=f"Performance scorecard {label(period)}")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


# ---------------------------------------------------------------- the run

class Stopwatch:
    """Seconds spent in each stage of the run, for the benchmark to compare."""

    def __init__(self, since):
        self.stages, self.last = {}, since

    def lap(self, stage):
        now = time.perf_counter()
        self.stages[stage] = now - self.last
        self.last = now


def main():
    watch = Stopwatch(STARTED)
    watch.lap("imports")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=Path, default=Path("inputs"))
    ap.add_argument("--templates", type=Path, default=Path("templates"))
    ap.add_argument("--output", type=Path, default=Path("output"))
    args = ap.parse_args()
    settings, indicators, services, meeting = load_templates(args.templates)

    files = sorted(p for p in args.inputs.rglob("*")
                   if p.suffix.lower() in (".xlsx", ".xlsm") and p.is_file()
                   and not p.name.startswith(("~$", ".")))
    returns = [read_return(p, indicators, services) for p in files]
    accepted = settle_resubmissions(returns)
    for ret in returns:
        for problem in ret["errors"]:
            print(f"{ret['file']}: error: {problem}", file=sys.stderr)
    watch.lap("read and check")
    periods = sorted({r["period"] for r in returns if r["period"]})
    if not periods:
        sys.exit("no returns with a readable period were found")
    period = periods[-1]
    rejected = {(r["service"], r["period"]) for r in returns if r["errors"]}
    history = [p for p in periods if p <= period]
    shown = trailing(period, settings.get("quarters_shown", 5))
    every = sorted(set(history) | set(shown))
    table = combine_all(indicators, every, accepted, rejected, settings["child_population"])

    counts = Counter()
    for ind in indicators:
        o = table[ind["ref"]][period]
        counts["no data" if o["value"] is None else o["rag"] or "not rated"] += 1
        counts[o["direction"]] += 1
    watch.lap("combine")

    out = args.output / period_id(period)
    (out / "data").mkdir(parents=True, exist_ok=True)
    write_csv(out / "data" / "indicators.csv", indicators, table, history)
    watch.lap("csv")
    write_xlsx(out / "scorecard.xlsx", indicators, table, shown, returns)
    watch.lap("excel")
    write_pdf(out / "committee-report.pdf", settings, meeting, indicators, table, shown, period,
              counts, returns)
    watch.lap("pdf")
    mine = [r for r in returns if r["period"] == period]
    print(f"{label(period)}: {len(mine)} returns read, "
          f"{sum(1 for r in mine if not r['errors'] and not r.get('superseded'))} accepted, "
          f"{sum(1 for r in mine if r['errors'])} rejected, "
          f"{sum(1 for r in mine if r.get('superseded'))} superseded ({len(returns)} in all); "
          f"reports in {out} ({time.perf_counter() - STARTED:.1f}s)")
    print("timings", json.dumps(watch.stages))
    return 3 if any(r["errors"] for r in mine) else 0


if __name__ == "__main__":
    sys.exit(main())
