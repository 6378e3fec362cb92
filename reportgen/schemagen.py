"""Generate the JSON Schemas in `schemas/` from the models: `python -m reportgen.schemagen`.

A test regenerates them and fails when a committed schema is stale.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

#: Schema file name -> "module:Model" it is generated from.
SCHEMAS: dict[str, str] = {
    "run.schema.json": "reportgen.model:Run",
    "verdict.schema.json": "reportgen.evaluation:Evaluation",
    "criteria.schema.json": "reportgen.criteria:CriteriaFile",
    "metrics.schema.json": "reportgen.ingest.metrics_json:MetricsDocument",
}

SCHEMA_DIR = Path(__file__).parent / "schemas"


def generate(name: str) -> dict[str, Any]:
    """The JSON Schema for one schema file name."""
    module_name, _, attr = SCHEMAS[name].partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module_name), attr)
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://reportgen.dev/schemas/{name}"
    return schema


def render(name: str) -> str:
    """The exact text committed for a schema file."""
    return json.dumps(generate(name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    names = argv if argv else list(SCHEMAS)
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name in names:
        (SCHEMA_DIR / name).write_text(render(name), encoding="utf-8")
        print(f"wrote {SCHEMA_DIR / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
