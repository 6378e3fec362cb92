"""The committed JSON Schemas must match the models they are generated from."""

from __future__ import annotations

import pytest

from reportgen import schemagen


@pytest.mark.parametrize("name", sorted(schemagen.SCHEMAS))
def test_schema_is_current(name: str) -> None:
    committed = (schemagen.SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert committed == schemagen.render(name), (
        f"schemas/{name} is stale: run `python3 -m reportgen.schemagen`"
    )
