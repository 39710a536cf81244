"""Property-based: no input makes the service answer 5xx.

The JSON API is driven from its own OpenAPI schema by schemathesis: for every operation,
values that fit the schema and values that break it (huge and negative numbers, long and
odd strings, wrong types, missing fields), sent anonymously, as an inspector and as an
employer. The HTML forms that take free input (the complaint form, its searches, the
tracking form, the inspector's searches) get the same treatment from hypothesis. Both are
derandomised, so a run is repeatable, and bounded to well under a minute per database.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.service.portals.conftest import sign_in
from tests.service.portals.test_permissions import _caller

# Hypothesis warns that a 60 KB example makes a long repr: that is the point here.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
# Operations without input to vary (running the monitors is the slow one).
NOT_FUZZED = {("POST", "/api/monitors/run")}
EXAMPLES_PER_OPERATION = 6
QUICK = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

EXTREME_INTEGERS = st.sampled_from([0, -1, 2**31, 2**63, 2**64, -(2**63), 10**30])
# A query string fits in 64 KB (the client's limit), so 30,000 characters in a URL; a form
# body takes 60 KB and more.
EXTREME_TEXTS = st.one_of(
    st.sampled_from(
        ["", " ", "9" * 5000, "x" * 30_000, "%_\\", "'; DROP TABLE employer;--", "\x00", "２"]
    ),
    st.text(min_size=0, max_size=300),
)
ODD_VALUES = st.one_of(EXTREME_INTEGERS.map(str), EXTREME_TEXTS)
EXTREME_VALUES = st.one_of(EXTREME_INTEGERS, EXTREME_INTEGERS.map(str), EXTREME_TEXTS)
ODD_FORM_VALUES = st.one_of(ODD_VALUES, st.just("温" * 60_000))


def _operations(app) -> list:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if (op.method.upper(), op.path) not in NOT_FUZZED]


def _push_to_extremes(case, data) -> None:
    """Random data seldom holds 2^63 or 5,000 digits: put such values in every parameter
    and in some of the body's fields."""
    for parameters in (case.path_parameters, case.query):
        for name in list(parameters or {}):
            parameters[name] = data.draw(EXTREME_VALUES)
    if isinstance(case.body, dict):
        for name in list(case.body):
            if data.draw(st.booleans()):
                case.body[name] = data.draw(EXTREME_VALUES)


def test_no_api_operation_answers_5xx_to_any_input(app_client, world):
    callers = [
        {},
        {"authorization": _caller(app_client, "inspector.a")["authorization"]},
        {"authorization": _caller(app_client, "employer.a")["authorization"]},
    ]
    operations = _operations(app_client.app)
    assert len(operations) >= 30
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @QUICK
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def each(case, data):
                if data.draw(st.booleans(), label="pushed to the extremes"):
                    _push_to_extremes(case, data)
                for headers in callers:
                    response = case.call(headers=headers)
                    if response.status_code >= 500:
                        failures.append(
                            f"{case.method} {case.formatted_path} {response.status_code}: "
                            f"path={case.path_parameters} query={case.query} "
                            f"body={str(case.body)[:200]}"
                        )

            try:
                each()
            except Unsatisfiable:
                # No input breaks a schema without parameters: nothing negative to send.
                assert mode is GenerationMode.NEGATIVE, operation.path
    assert not failures, "\n".join(failures[:20])


def test_extreme_values_in_every_parameter_never_answer_5xx(app_client, world):
    """Every path and query parameter of every operation, set to each extreme value."""
    inspector = {"authorization": _caller(app_client, "inspector.a")["authorization"]}
    failures = []
    for operation in _operations(app_client.app):
        names = {
            (parameter.location, parameter.name)
            for parameter in operation.iter_parameters()
            if parameter.location in ("path", "query")
        }
        for value in [0, -1, 2**31, 2**63, "9" * 5000, "x" * 60_000, "", "%"]:
            path = {name: value for where, name in names if where == "path"}
            query = {name: value for where, name in names if where == "query"}
            if not path and not query:
                continue
            case = operation.Case(path_parameters=path, query=query)
            response = case.call(headers=inspector)
            if response.status_code >= 500:
                failures.append(f"{operation.method} {operation.path} {str(value)[:20]}")
    assert not failures, "\n".join(failures)


COMPLAINT_FIELDS = (
    "employer_id",
    "employer_text",
    "county_code",
    "town",
    "project_id",
    "period_from",
    "period_to",
    "amount_owed",
    "workers_affected",
    "description",
    "phone",
    "worker_name",
    "kind",
    "employer_q",
    "project_q",
    "disclose_identity",
    "agrees_to_enterprise_mediation",
)


VALID_COMPLAINT = {
    "employer_text": "温州某某公司",
    "county_code": "330302",
    "description": "三个月没发工资",
    "period_from": "2026-08",
    "amount_owed": "3000",
    "workers_affected": "2",
}


@pytest.fixture
def worker_form(app_client, world):
    page = app_client.get("/worker/complaint")
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def test_the_complaint_form_never_answers_5xx(app_client, world, worker_form):
    app_client.app.state.complaint_limiter = None
    failures = []

    @settings(QUICK, max_examples=60)
    @given(st.dictionaries(st.sampled_from(COMPLAINT_FIELDS), ODD_FORM_VALUES, min_size=1))
    def post(odd):
        # A form that would be filed, with some fields made odd: each check gets reached.
        fields = {**VALID_COMPLAINT, "csrf_token": worker_form, **odd}
        response = app_client.post("/worker/complaint", data=fields)
        if response.status_code >= 500:
            failures.append(f"{response.status_code}: {fields}")

    post()
    assert not failures, failures


def test_the_searches_and_tracking_form_never_answer_5xx(app_client, world, worker_form):
    failures = []

    @settings(QUICK, max_examples=40)
    @given(
        st.fixed_dictionaries(
            {"employer_q": ODD_VALUES, "project_q": ODD_VALUES, "county_code": ODD_VALUES}
        ),
        ODD_VALUES,
        ODD_VALUES,
    )
    def anonymous(search, code, pin):
        searched = app_client.get("/worker/complaint", params=search)
        tracked = app_client.post(
            "/worker/track", data={"csrf_token": worker_form, "tracking_code": code, "pin": pin}
        )
        for response in (searched, tracked):
            if response.status_code >= 500:
                failures.append(f"{response.request.url} {response.status_code}")

    anonymous()
    sign_in(app_client, "inspector.a")

    @settings(QUICK, max_examples=30)
    @given(ODD_VALUES, ODD_VALUES)
    def inspector(q, page):
        for path in ("/inspector/employers", "/inspector/alerts"):
            response = app_client.get(path, params={"q": q, "page": page})
            if response.status_code >= 500:
                failures.append(f"{path} q={q[:30]!r} page={page[:30]!r}")

    inspector()
    page = app_client.get("/inspector/subscriptions")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]

    @settings(QUICK, max_examples=30)
    @given(st.dictionaries(ODD_VALUES.map(lambda code: f"follow:{code}"), ODD_VALUES))
    def subscriptions(follows):
        response = app_client.post(
            "/inspector/subscriptions",
            data={"csrf_token": token, **follows},
            follow_redirects=False,
        )
        if response.status_code >= 500:
            failures.append(f"/inspector/subscriptions {str(follows)[:80]}")

    subscriptions()
    assert not failures, "\n".join(failures)
