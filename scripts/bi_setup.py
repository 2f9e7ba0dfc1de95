"""Register lvsocial's published copy in a running Apache Superset through its REST API, from the committed definitions
(deploy/superset/lvsocial.json): the database (the DuckDB file, read-only), the datasets, the charts and one
dashboard holding them. Idempotent: what exists by name is kept. Standard library only; called by scripts/bi.sh.

    python scripts/bi_setup.py URL DUCKDB_FILE [USER PASSWORD]
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

DEFINITIONS = Path(__file__).resolve().parents[1] / "deploy" / "superset" / "lvsocial.json"


class Api:
    def __init__(self, base: str, user: str, password: str):
        self.base = base.rstrip("/")
        self.token = self.call("POST", "/api/v1/security/login",
                               {"username": user, "password": password, "provider": "db", "refresh": True},
                               auth=False)["access_token"]

    def call(self, method: str, path: str, body: dict | None = None, auth: bool = True) -> dict:
        request = urllib.request.Request(self.base + path, method=method,
                                         data=None if body is None else json.dumps(body).encode())
        request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"Superset {method} {path}: {exc.code} {exc.read().decode()[:2000]}") from exc

    def find(self, resource: str, column: str, value: str) -> int | None:
        q = f"(filters:!((col:{column},opr:eq,value:'{value}')))"
        found = self.call("GET", f"/api/v1/{resource}/?q={urllib.parse.quote(q)}")["result"]
        return found[0]["id"] if found else None


def form_data(chart: dict, dataset_id: int) -> dict:
    q = chart["query"]
    return {"datasource": f"{dataset_id}__table", "viz_type": chart["viz_type"], "query_mode": "aggregate",
            "groupby": q["columns"], "metrics": q["metrics"], "adhoc_filters": (
                [{"expressionType": "SQL", "clause": "WHERE", "sqlExpression": q["where"]}] if q["where"] else []),
            "row_limit": 10000, "order_desc": False}


def query_context(chart: dict, dataset_id: int) -> dict:
    """The chart's query as /api/v1/chart/data takes it (and as the chart saves it)."""
    q = chart["query"]
    return {"datasource": {"id": dataset_id, "type": "table"}, "force": True, "result_format": "json",
            "result_type": "full", "form_data": form_data(chart, dataset_id),
            "queries": [{"columns": q["columns"], "metrics": q["metrics"], "orderby": q["orderby"],
                         "row_limit": 10000, "extras": {"where": q["where"]}}]}


def register(base: str, duckdb_file: str, user: str = "admin", password: str = "admin") -> dict:
    spec = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    api = Api(base, user, password)
    name = spec["database"]["database_name"]
    database = api.find("database", "database_name", name) or api.call("POST", "/api/v1/database/", {
        "database_name": name, "expose_in_sqllab": True, "allow_dml": False,
        "sqlalchemy_uri": f"duckdb:///{Path(duckdb_file).resolve()}?access_mode=read_only"})["id"]
    datasets = {}
    for d in spec["datasets"]:
        key = f"{d['schema']}.{d['table_name']}"
        q = (f"(filters:!((col:table_name,opr:eq,value:'{d['table_name']}'),"
             f"(col:schema,opr:eq,value:'{d['schema']}')))")
        existing = api.call("GET", "/api/v1/dataset/?q=" + urllib.parse.quote(q))["result"]
        datasets[key] = existing[0]["id"] if existing else api.call("POST", "/api/v1/dataset/", {
            "database": database, "schema": d["schema"], "table_name": d["table_name"]})["id"]
    charts = {}
    for c in spec["charts"]:
        dataset = datasets[c["dataset"]]
        charts[c["slice_name"]] = api.find("chart", "slice_name", c["slice_name"]) or api.call(
            "POST", "/api/v1/chart/", {
            "slice_name": c["slice_name"], "viz_type": c["viz_type"], "datasource_id": dataset,
            "datasource_type": "table", "params": json.dumps(form_data(c, dataset)),
            "query_context": json.dumps(query_context(c, dataset))})["id"]
    board = spec["dashboard"]
    dashboard = api.find("dashboard", "slug", board["slug"])
    if dashboard is None:
        position = {"DASHBOARD_VERSION_KEY": "v2",
                    "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
                    "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]}}
        for i, (title, chart_id) in enumerate(charts.items()):
            row, item = f"ROW-{i}", f"CHART-{chart_id}"
            position["GRID_ID"]["children"].append(row)
            position[row] = {"type": "ROW", "id": row, "children": [item], "parents": ["ROOT_ID", "GRID_ID"],
                             "meta": {"background": "BACKGROUND_TRANSPARENT"}}
            position[item] = {"type": "CHART", "id": item, "children": [], "parents": ["ROOT_ID", "GRID_ID", row],
                              "meta": {"chartId": chart_id, "sliceName": title, "width": 12, "height": 50}}
        dashboard = api.call("POST", "/api/v1/dashboard/", {
            "dashboard_title": board["dashboard_title"], "slug": board["slug"], "published": True,
            "position_json": json.dumps(position)})["id"]
        for chart_id in charts.values():
            api.call("PUT", f"/api/v1/chart/{chart_id}", {"dashboards": [dashboard]})
    return {"database": database, "datasets": datasets, "charts": charts, "dashboard": dashboard}


if __name__ == "__main__":
    print(json.dumps(register(*sys.argv[1:]), indent=2))
