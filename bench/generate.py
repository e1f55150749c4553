"""Write a realistic store of about N records across the five models and several years.

Each bundled example organization is copied (with new ids) and its dated records shifted
back year by year, until the store holds N records. Usage:
    python bench/generate.py DIR N
"""

from __future__ import annotations

import copy
import sys
from datetime import date
from pathlib import Path

from coordtui.interchange import validate_document
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace


def _shift(value, years: int):
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            d = date.fromisoformat(value)
            return d.replace(year=d.year - years, day=min(d.day, 28)).isoformat()
        except ValueError:
            return value
    if isinstance(value, str) and len(value) in (6, 7) and value[:4].isdigit() and value[4] in "QH-":
        return f"{int(value[:4]) - years}{value[4:]}"
    return value


def generate(root: Path, target: int) -> Workspace:
    ws = Workspace(Store(root, create=True), PluginHost())
    examples = [doc for model in sorted(ws.host.models) for doc in ws.host.fixtures(model)]
    total, copy_no = 0, 0
    while total < target:
        for doc in examples:
            if total >= target:
                break
            clone = copy.deepcopy(doc)
            clone["org"]["id"] = f"{doc['org']['id']}-{copy_no:03d}"
            clone["org"]["name"] = f"{doc['org']['name']}（副本{copy_no}）"
            clone["org"]["settings"] = {**clone["org"].get("settings", {}), "tracking_start": "2022-01-01"}
            items = [i for i in clone["items"]]
            dated = [i for i in items if any(isinstance(v, str) and len(v) == 10 and v[4] == "-" for k, v in i.items() if k != "id")]
            for years in range(1, 4):  # three earlier years of the same activity
                for item in copy.deepcopy(dated):
                    item["id"] = f"{item['id']}-y{years}"
                    items.append({k: (v if k == "id" else _shift(v, years)) for k, v in item.items()})
            clone["items"] = items
            plan = validate_document(clone, ws, f"<copy {copy_no} of {doc['org']['id']}>")
            ws.replace_org(plan.org, plan.records, replace=True)
            total += len(plan.records)
        copy_no += 1
    return ws


if __name__ == "__main__":
    ws = generate(Path(sys.argv[1]), int(sys.argv[2]))
    print(f"{ws.store.count()} records in {len(ws.orgs())} organizations at {ws.store.root}")
