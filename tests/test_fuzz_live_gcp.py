"""Property: whatever the Google APIs answer (garbage bodies, values of the wrong type, nulls, missing keys), a live
Google Cloud scan completes, writes its reports, exits 0, 1 or 3, raises no internal error, and what it could not
read is never a pass (see test_fuzz_live_azure for the rules of the game). Proto3 JSON treats null and absent alike
(the field's default), so those may change verdicts either way. Strings are not put where the service sends
numbers: the client libraries ask for enum numbers, and their JSON parser silently drops enum *names* it does not
know, which no answer from the service produces.

The collector runs for real (GAPIC REST transports, retries, paging) against the fake; the credentials are a
static token and the rule pack is loaded once (the CLI and ADC paths are covered by test_collect_gcp)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

pytest.importorskip("google.cloud.aiplatform_v1")
pytest.importorskip("google.cloud.modelarmor_v1")
hypothesis = pytest.importorskip("hypothesis")
from google.oauth2.credentials import Credentials  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from aiposture.collect.gcp_vertex import GcpOptions, collect  # noqa: E402
from tests import gcp_estate_scenario as es  # noqa: E402
from tests import gcp_scenario as sc  # noqa: E402
from tests.fakes.gcp import GcpFake  # noqa: E402
from tests.fakes.mutate import SWEEP, Mutation, Tail, World, check, mutations  # noqa: E402

ROUTES = (r"^/ui/projects/[^/]+/locations$", r"^/v1/projects/[^/]+/locations$", r":getIamPolicy$", r"/floorSetting$",
          r":getEffectivePolicy$", r"/endpoints$", r"/models$", r"/datasets$", r"/reasoningEngines$", r"/templates$",
          # the estate around Vertex AI (tests/gcp_estate_scenario.py)
          r"^/v1/accessPolicies$", r"/servicePerimeters$", r"/dataStores$", r"/ragCorpora$", r"/ragFiles$",
          r"/notebookRuntimeTemplates$", r"^/v2/projects/[^/]+/locations/-/instances$", r"^/compute/v1/")


@pytest.fixture(scope="module")
def world():
    fake = GcpFake(page_size=100).start()
    tmp = Path(tempfile.mkdtemp(prefix="aiposture-fuzz-gcp-"))
    es.populate(fake, "prj-good", hardened=True)
    es.populate(fake, "prj-bad", hardened=False)
    tail = Tail()
    code, _, results = _scan(fake, tail, tmp / "baseline")
    assert code == 1
    yield World(fake, tmp, tail, {(r["rule_id"], r["resource_id"]): r["status"] for r in results})
    fake.stop()


def _scan(fake, tail, out: Path):
    opts = GcpOptions(projects=["prj-good", "prj-bad"], locations=[sc.LOC], endpoint_template=fake.url)
    return tail(collect(opts, quiet=True, credentials=Credentials(token="fake-token")), out)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(m=mutations(st, ROUTES, keep_strings_for_numbers=True))
def test_any_answer_completes_and_never_passes_what_it_could_not_read(world, m):
    check(world, _scan, m, fallback_noted=True, proto3=True)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("choice", SWEEP[:2])  # a number and a string: most wrong types fail the proto parse alike
def test_every_value_of_the_wrong_type_is_never_a_pass(world, route, choice):
    m = Mutation(route, "type", -1, choice, keep_strings_for_numbers=True)
    check(world, _scan, m, sweep=True)
    assert m.fired
