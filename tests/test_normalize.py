"""Provider mappings that are easy to get subtly wrong."""

from aiposture.normalize import aws as naws
from aiposture.normalize import azure as naz


def test_azure_provisioned_capacity_is_not_tokens_per_minute():
    ptu = naz.deployment({"sku": {"name": "GlobalProvisionedManaged", "capacity": 2000}, "properties": {}})
    assert ptu["rate_limit"] == {"limited": True}  # PTUs: the TPM rule does not apply
    std = naz.deployment({"sku": {"name": "GlobalStandard", "capacity": 2000}, "properties": {}})
    assert std["rate_limit"]["tokens_per_minute"] == 2_000_000


def test_iam_invoke_grants():
    doc = {"Statement": [{"Effect": "Allow", "Action": "bedrock:Invoke*", "Resource": "*"}]}
    assert naws.invoke_grant(doc) == {"actions_wildcard": True, "resources_wildcard": True, "conditions": False,
                                      "guardrail_required": False}
    narrow = {"Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel",
                             "Resource": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
                             "Condition": {"StringEquals": {"bedrock:GuardrailIdentifier": "arn:aws:bedrock:us-east-1:1:guardrail/g:1"}}}]}
    assert naws.invoke_grant(narrow) == {"actions_wildcard": False, "resources_wildcard": False, "conditions": True,
                                         "guardrail_required": True}
    every_model = {"Statement": [{"Effect": "Allow", "Action": ["bedrock:InvokeModel"],
                                  "Resource": "arn:aws:bedrock:*::foundation-model/*"}]}
    assert naws.invoke_grant(every_model)["resources_wildcard"] is True
    assert naws.invoke_grant({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}) is None
    not_action = {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
    assert naws.invoke_grant(not_action)["actions_wildcard"] is True
    assert naws.role_privileges([not_action], []) == {"admin": True, "wildcard_actions": True}
    assert naws.role_privileges(['%7B%22Statement%22%3A%5B%5D%7D'], ["AdministratorAccess"])["admin"] is True  # URL-encoded doc


def test_well_known_aws_managed_policies_without_a_document():
    from aiposture.collect.aws_bedrock import _known_managed

    full = naws.invoke_grant(_known_managed("AmazonBedrockFullAccess"))
    assert full["actions_wildcard"] and full["resources_wildcard"] and not full["conditions"]
    assert naws.invoke_grant(_known_managed("AdministratorAccess"))["actions_wildcard"] is True
    assert _known_managed("AmazonS3ReadOnlyAccess") is None and naws.invoke_grant(None) is None


def test_application_inference_profile():
    """ListInferenceProfiles summary (snake_cased) -> the model it copies; quotas always bound on-demand calls."""
    from aiposture.normalize.values import snake_keys

    summary = {"inferenceProfileArn": "arn:aws:bedrock:us-east-1:1:application-inference-profile/p",
               "models": [{"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/m"}, "junk"]}
    assert naws.inference_profile(snake_keys(summary)) == {
        "model": {"name": "arn:aws:bedrock:us-east-1::foundation-model/m", "custom": False}, "rate_limit": {"limited": True}}
    assert naws.inference_profile({"models": None})["model"]["name"] is None


def test_vertex_agent_engine_execution_role():
    """No service account: Google's narrow service agent runs it; an admin SA is admin only when the policy is known."""
    from aiposture.normalize import gcp as ngcp

    sa = "agent@p.iam.gserviceaccount.com"
    assert ngcp.reasoning_engine({"spec": None})["execution_role"] == {"id": None, "admin": False, "wildcard_actions": False}
    assert ngcp.reasoning_engine({"spec": {"service_account": sa}}, admins={sa})["execution_role"]["admin"] is True
    assert ngcp.reasoning_engine({"spec": {"service_account": sa}}, admins=set())["execution_role"]["admin"] is False
    assert ngcp.reasoning_engine({"spec": {"service_account": sa}}, admins=None)["execution_role"]["admin"] is None


def test_action_group_api_schema_that_is_not_an_openapi_document_is_unknown_not_a_crash():
    def group(payload):
        return {"api_schema": {"payload": payload}}

    # a tenant writes this schema: a list, a scalar, paths of the wrong type, a YAML alias bomb
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True))
    for payload in ("[1, 2]", "- a\n- b\n", "just text", '{"paths": [1]}', bomb):
        assert naws._confirmation_required(group(payload)) is None, payload
    ok = '{"paths": {"/x": {"post": {"x-requireConfirmation": "ENABLED"}}}}'
    assert naws._confirmation_required(group(ok)) is True
    assert naws._confirmation_required(group('{"paths": {}}')) is True  # no operations: none unconfirmed
    # no paths at all (an empty payload, a document without them): not one this can read, unknown
    assert naws._confirmation_required(group("openapi: 3.0.0\ninfo: {title: t}\n")) is None
    assert naws._confirmation_required(group("")) is None
