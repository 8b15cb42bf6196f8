"""Walks a PDF's structure tree and reports, as JSON, what a screen reader
gets from it: whether it is tagged, its language, title and PDF/UA
identification, its headings in reading order, its tables (with their
header cells) and its figures (with their alt text).

    python3 structure.py FILE.pdf

tests/it/pdfua.rs runs it on the committee report and the improvement plan and
checks the report against the PDF/UA-1 rules that matter to a reader.
"""

import json
import sys

import pikepdf


def name(obj):
    s = obj.get("/S")
    return str(s)[1:] if s is not None else None


def text_of(elem, pdf):
    """The actual text of an element, when it carries one."""
    for key in ("/ActualText", "/Alt", "/T"):
        if key in elem:
            return str(elem[key])
    return None


def walk(elem, role_map, out, depth=0):
    if not isinstance(elem, pikepdf.Dictionary):
        return
    kind = name(elem)
    if kind is None:
        return
    kind = role_map.get(kind, kind)
    node = {"type": kind, "depth": depth}
    attrs = elem.get("/A")
    scope = None
    if attrs is not None:
        for a in attrs if isinstance(attrs, pikepdf.Array) else [attrs]:
            if isinstance(a, pikepdf.Dictionary) and "/Scope" in a:
                scope = str(a["/Scope"])[1:]
    if scope:
        node["scope"] = scope
    if "/Alt" in elem:
        node["alt"] = str(elem["/Alt"])
    if "/T" in elem:
        node["title"] = str(elem["/T"])
    out.append(node)
    kids = elem.get("/K")
    if kids is None:
        return
    for k in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(k, pikepdf.Dictionary) and "/S" in k:
            walk(k, role_map, out, depth + 1)


def main(path):
    pdf = pikepdf.open(path)
    root = pdf.Root
    report = {
        "marked": bool(root.get("/MarkInfo", {}).get("/Marked", False)),
        "lang": str(root.get("/Lang", "")),
        "display_doc_title": bool(
            root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)
        ),
        "title": str(pdf.docinfo.get("/Title", "")),
        "pdfua_part": None,
        "pages": len(pdf.pages),
        "tab_order_structure": all(
            str(p.obj.get("/Tabs", "")) == "/S" for p in pdf.pages
        ),
    }
    with pdf.open_metadata() as meta:
        part = meta.get("pdfuaid:part")
        report["pdfua_part"] = str(part) if part is not None else None
        report["xmp_title"] = str(meta.get("dc:title", ""))
    tree = root.get("/StructTreeRoot")
    nodes = []
    if tree is not None:
        role_map = {}
        if "/RoleMap" in tree:
            for k, v in tree["/RoleMap"].items():
                role_map[k[1:]] = str(v)[1:]
        kids = tree.get("/K")
        for k in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(k, role_map, nodes)
    report["has_structure_tree"] = tree is not None
    report["headings"] = [
        {"level": int(n["type"][1:]), "depth": n["depth"]}
        for n in nodes
        if n["type"] in ("H1", "H2", "H3", "H4", "H5", "H6")
    ]
    tables = []
    current = None
    for n in nodes:
        if n["type"] == "Table":
            current = {"depth": n["depth"], "th": 0, "td": 0, "scopes": {}}
            tables.append(current)
        elif current is not None and n["depth"] <= current["depth"]:
            current = None
        if current is not None and n["type"] == "TH":
            current["th"] += 1
            s = n.get("scope", "none")
            current["scopes"][s] = current["scopes"].get(s, 0) + 1
        if current is not None and n["type"] == "TD":
            current["td"] += 1
    report["tables"] = [
        {"th": t["th"], "td": t["td"], "scopes": t["scopes"]} for t in tables
    ]
    report["figures"] = [
        {"alt": n.get("alt")} for n in nodes if n["type"] == "Figure"
    ]
    report["captions"] = sum(1 for n in nodes if n["type"] == "Caption")
    outline = []
    with pdf.open_outline() as o:
        def visit(items, depth):
            for item in items:
                outline.append({"depth": depth, "title": str(item.title)})
                visit(item.children, depth + 1)
        visit(o.root, 0)
    report["outline"] = outline
    json.dump(report, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
