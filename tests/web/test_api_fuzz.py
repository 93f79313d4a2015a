"""The API never answers 500, whatever it is sent: schemathesis generates requests from
the OpenAPI document — valid ones and malformed ones — for every operation, with a
manager's token, and checks each answer for server errors and against the document."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import positive_data_acceptance

from arrears.entrypoints.bootstrap import App
from arrears.services import accounts, arrangement_policies
from tests.helpers import NOW

EXAMPLES = 10  # per operation and mode
# A request the document allows may still be refused for what it says — a loan that does
# not exist, a CSV row with a negative amount, a date in the past — so 4xx answers to
# schema-valid requests are not failures; 5xx answers, undocumented statuses or bodies,
# and malformed requests accepted (negative_data_rejection) are.


def test_no_request_makes_the_api_fail_or_break_its_document(web_app: FastAPI, app: App) -> None:
    arrangement_policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    token = accounts.issue_token(app.uow_factory, "manager", "fuzz", NOW)
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", web_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12, "the document lost operations"
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers)


def _fuzz(operation: Any, mode: Any, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    try:
        check()
    except Unsatisfiable:
        # an operation with no parameters and no body cannot be sent malformed
        assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label
