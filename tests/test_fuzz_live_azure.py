"""Property: whatever ARM answers (garbage bodies, values of the wrong type, nulls, missing keys), a live Azure scan
completes, writes its reports, exits 0, 1 or 3, raises no internal error, and what it could not read is never a
pass: a result that was not 'pass' for the documented answer does not become 'pass' when a body is garbage or a
value has the wrong type. (Nulls and missing keys mean the documented defaults in ARM, so they may change
verdicts either way; they must still never crash the scan.)

The collector runs for real (azure-core pipeline, retries, paging) against the HTTPS fake; the credential is a
static token and the rule pack is loaded once, so each example costs one scan (the CLI path and the credential
chain are covered by test_collect_azure)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

pytest.importorskip("azure.identity")
trustme = pytest.importorskip("trustme")
hypothesis = pytest.importorskip("hypothesis")
from azure.core.credentials import AccessToken  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from aiposture.collect.azure_openai import AzureOptions, collect  # noqa: E402
from tests import azure_scenario as sc  # noqa: E402
from tests.fakes.azure import AzureFake  # noqa: E402
from tests.fakes.mutate import SWEEP, Mutation, Tail, World, check, mutations  # noqa: E402
from tests.test_collect_azure import BAD, GOOD  # noqa: E402

ROUTES = (r"^/subscriptions$", r"/Microsoft\.CognitiveServices/accounts$", r"/deployments$", r"/raiPolicies$",
          r"/defenderForAISettings$", r"/diagnosticSettings$", r"/roleAssignments$", r"/roleDefinitions/")


class StaticToken:
    def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", int(time.time()) + 3600)


@pytest.fixture(scope="module")
def world():
    mp = pytest.MonkeyPatch()
    ca = trustme.CA()
    fake = AzureFake(ca, page_size=100).start()
    tmp = Path(tempfile.mkdtemp(prefix="aiposture-fuzz-az-"))
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    mp.setenv("REQUESTS_CA_BUNDLE", str(tmp / "ca.pem"))
    fake.add_subscription(GOOD)
    fake.add_subscription(BAD)
    good = sc.populate(fake, GOOD, hardened=True)
    sc.populate(fake, BAD, hardened=False)
    custom = "00000001-aaaa-bbbb-cccc-000000000000"
    fake.add_role_definition(sc.role_definition_body(custom, "key-reader", ["Microsoft.CognitiveServices/accounts/listKeys/action"],
                                                     [], [], [], custom=True, sub=GOOD))
    fake.accounts[good.lower()]["providers/microsoft.authorization/roleassignments"].append(
        sc.role_assignment(good, GOOD, custom, "p-custom", "ServicePrincipal"))
    tail = Tail()
    code, _, results = _scan(fake, tail, tmp / "baseline")
    assert code == 1
    yield World(fake, tmp, tail, {(r["rule_id"], r["resource_id"]): r["status"] for r in results})
    fake.stop()
    mp.undo()


def _scan(fake, tail, out: Path):
    doc = collect(AzureOptions(arm_endpoint=fake.url, retries=0), quiet=True, credential=StaticToken())
    return tail(doc, out)


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(m=mutations(st, ROUTES))
def test_any_answer_completes_and_never_passes_what_it_could_not_read(world, m):
    check(world, _scan, m)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("choice", SWEEP)
def test_every_value_of_the_wrong_type_is_never_a_pass(world, route, choice):
    """The deterministic sweep beside the random one: every leaf of a route's answers (identifiers aside) gets a
    value of another JSON type at once (numbers, strings, lists, objects, booleans by turns)."""
    m = Mutation(route, "type", -1, choice)
    check(world, _scan, m, sweep=True)
    assert m.fired
