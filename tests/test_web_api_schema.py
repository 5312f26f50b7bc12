"""Property-based API tests: schemathesis generates requests from /openapi.json and sends
them to the ASGI app in process (`schemathesis.openapi.from_asgi`, schemathesis 4.x).

Schemathesis' own pytest plugin does not run under this pytest version, so each operation's
hypothesis strategy is drawn from directly. Bounded to a few examples per operation to stay
fast; any 5xx, or an error body of another shape, fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from test_web_support import bearer, fill, make_app

from freedomledger.ledger import Ledger

# CI draws 5 requests per operation; the campaign in docs/reliability.md set more.
EXAMPLES = int(os.environ.get("FREEDOMLEDGER_SCHEMA_EXAMPLES") or 5)


def check(case: schemathesis.Case, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error], headers=headers)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}, body


@pytest.mark.parametrize("caller", ["admin", "anonymous"])
def test_api_never_fails_on_generated_requests(tmp_path: Path, caller: str) -> None:
    ledger = Ledger.open(str(tmp_path / "schema.db"))
    tokens = fill(ledger)
    # As an admin every operation is reachable, so every handler sees generated input.
    headers = bearer(tokens[caller]) if caller != "anonymous" else {}
    schema = schemathesis.openapi.from_asgi("/openapi.json", make_app(ledger))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            check(case, headers)

        run()
    ledger.close()
