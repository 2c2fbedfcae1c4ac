"""Normalisers for AgentCore, Flows and Prompts: API shapes (snake_case) -> attrs; unknown stays unknown."""

from __future__ import annotations

from aiposture.normalize import aws_agents as na
from aiposture.normalize.values import UNKNOWN, snake_keys


def test_resource_policy_public_only_for_unconditional_star():
    assert na.policy_public(None) is False
    assert na.policy_public('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "x"}]}') is True
    assert na.policy_public({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}}]}) is True
    assert na.policy_public({"Statement": [{"Effect": "Allow", "Principal": "*",
                                            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]}) is False
    assert na.policy_public({"Statement": [{"Effect": "Deny", "Principal": "*"}]}) is False
    assert na.policy_public("not json") is None and na.policy_public(UNKNOWN) is None and na.policy_public(object()) is None


def test_env_secret_heuristic_reads_names_only():
    assert na.secrets_in_env({"OPENAI_API_KEY": None, "LOG_LEVEL": None}) is True
    assert na.secrets_in_env({"DB_PASSWORD": None}) is True and na.secrets_in_env({"GITHUB_TOKEN": None}) is True
    assert na.secrets_in_env({"LOG_LEVEL": None, "REGION": None}) is False
    assert na.secrets_in_env(None) is False and na.secrets_in_env(UNKNOWN) is None


def test_runtime_defaults_and_jwt():
    iam = na.runtime(snake_keys({"networkConfiguration": {"networkMode": "VPC"}}))
    assert iam == {"inbound_auth": "iam", "public_network": False, "metadata_v2_required": False,
                   "secrets_in_env": False, "invoke_policy_public": False}
    jwt = na.runtime(snake_keys({"networkConfiguration": {"networkMode": "PUBLIC"},
                                 "authorizerConfiguration": {"customJWTAuthorizer": {"discoveryUrl": "https://x"}},
                                 "metadataConfiguration": {"requireMMDSV2": True}}))
    assert jwt["inbound_auth"] == "jwt" and jwt["jwt_restricted"] is False and jwt["public_network"] is True
    assert jwt["metadata_v2_required"] is True
    scoped = na.runtime(snake_keys({"networkConfiguration": {"networkMode": "VPC"}, "authorizerConfiguration": {
        "customJWTAuthorizer": {"discoveryUrl": "https://x", "allowedClients": ["app"]}}}))
    assert scoped["jwt_restricted"] is True
    # a network mode this version does not know is unknown, not public or private
    assert na.runtime({"network_configuration": {"network_mode": "SATELLITE"}})["public_network"] is None


def test_gateway_enums_and_unknown_targets():
    g = na.gateway(snake_keys({"authorizerType": "AUTHENTICATE_ONLY", "exceptionLevel": "DEBUG",
                               "policyEngineConfiguration": {"arn": "a", "mode": "ENFORCE"}}), targets=[])
    assert (g["inbound_auth"], g["debug_errors"], g["policy_engine"], g["waf"]) == ("authenticate_only", True, "enforce", "none")
    assert na.gateway({"authorizer_type": "SOMETHING_NEW"}, targets=[])["inbound_auth"] is None
    assert na.gateway({"authorizer_type": "AWS_IAM"}, targets=None)["targets"] is None
    assert na.gateway({"authorizer_type": "AWS_IAM"}, targets=[None])["targets"] is None


def test_targets_external_and_outbound_auth():
    lam = {"target_configuration": {"mcp": {"lambda": {"lambda_arn": "arn"}}},
           "credential_provider_configurations": [{"credential_provider_type": "GATEWAY_IAM_ROLE"}]}
    assert na.target(lam)[0] == {"type": "lambda", "external": False, "outbound_auth": "iam"}
    aws_host = {"target_configuration": {"mcp": {"mcp_server": {"endpoint": "https://x.execute-api.us-east-1.amazonaws.com/m"}}},
                "credential_provider_configurations": []}
    assert na.target(aws_host)[0] == {"type": "mcp_server", "external": False, "outbound_auth": "none"}
    vendor = snake_keys({"targetConfiguration": {"mcp": {"mcpServer": {"endpoint": "https://mcp.vendor.example.com"}}},
                         "credentialProviderConfigurations": [{"credentialProviderType": "OAUTH", "credentialProvider": {
                             "oauthCredentialProvider": {"providerArn": "arn:p", "scopes": []}}}]})
    assert na.target(vendor) == ({"type": "mcp_server", "external": True, "outbound_auth": "oauth"}, ["arn:p"])
    assert na.target({"target_configuration": {"mcp": {"lambda": {}}}})[0] is None  # nothing readable
    assert na.target({**lam, "credential_provider_configurations": [{"credential_provider_type": "NEW_KIND"}]})[0] is None


def _node(t: str, **cfg):
    key = {"Prompt": "prompt", "KnowledgeBase": "knowledgeBase", "InlineCode": "inlineCode", "Loop": "loop",
           "LambdaFunction": "lambdaFunction", "Agent": "agent"}[t]
    return {"name": t, "type": t, "configuration": {key: cfg}}


def test_flow_guardrail_coverage_walks_loops():
    guard = {"guardrailConfiguration": {"guardrailIdentifier": "gr-1", "guardrailVersion": "3"}}
    flow = {"definition": {"nodes": [
        _node("Prompt", sourceConfiguration={"resource": {"promptArn": "arn:aws:bedrock:r:1:prompt/P1:2"}}, **guard),
        _node("KnowledgeBase", knowledgeBaseId="KB", numberOfResults=3),  # retrieval only: nothing to guard
        _node("Loop", definition={"nodes": [_node("Prompt", sourceConfiguration={"inline": {"modelId": "m"}}),
                                            _node("InlineCode", code="x", language="Python_3")]}),
    ]}, "customerEncryptionKeyArn": "arn:k"}
    attrs, ids, prompts = na.flow(snake_keys(flow))
    assert attrs["content_filter"] == {"attached": False, "id": "gr-1", "version": None}  # the loop's prompt is unguarded
    assert attrs["action_groups"] == {"count": 1, "code_interpreter": True}
    assert ids == ["gr-1"] and prompts == [("arn:aws:bedrock:r:1:prompt/P1", True)]
    only_retrieval = na.flow(snake_keys({"definition": {"nodes": [_node("KnowledgeBase", knowledgeBaseId="KB")]}}))[0]
    assert "content_filter" not in only_retrieval  # nothing generates: the guardrail rules do not apply
    draft = na.flow(snake_keys({"definition": {"nodes": [_node("Prompt", guardrailConfiguration={"guardrailIdentifier": "g"})]}}))[0]
    assert draft["content_filter"]["version"] == "DRAFT"
    unknown = na.flow({"definition_s3_location": {"bucket": "b"}})[0]
    assert unknown["content_filter"] is None and unknown["action_groups"] is None
    weird = na.flow({"definition": {"nodes": [{"name": "x", "type": 7}]}})[0]
    assert weird["content_filter"] is None


def test_memory_vault_prompt_and_providers():
    assert na.memory(snake_keys({"eventExpiryDuration": 90, "encryptionKeyArn": "arn:k"})) == {
        "encryption": {"cmk": True, "key_id": "arn:k"}, "retention_days": 90}
    assert na.memory({"event_expiry_duration": UNKNOWN})["retention_days"] is None
    assert na.token_vault(snake_keys({"kmsConfiguration": {"keyType": "ServiceManagedKey"}})) == {
        "encryption": {"cmk": False, "key_id": None}}
    assert na.token_vault(snake_keys({"kmsConfiguration": {"keyType": "Quantum"}}))["encryption"]["cmk"] is None
    assert na.prompt(snake_keys({"variants": [{"templateConfiguration": {"chat": {"toolConfiguration": {"tools": [1]}}}}]}))[
        "tool_use"] is True
    assert na.credential_provider(snake_keys({"apiKeySecretSource": "EXTERNAL"}), auth_type="key") == {
        "auth_type": "key", "secret_source": "EXTERNAL"}
    assert na.prompt_base("arn:aws:bedrock:r:1:prompt/P1:7") == "arn:aws:bedrock:r:1:prompt/P1"


def test_a_region_without_agentcore_is_told_apart_from_a_network_failure():
    import socket

    from botocore.exceptions import EndpointConnectionError

    from aiposture.collect.aws_agentcore import _name_not_found

    dns = EndpointConnectionError(endpoint_url="https://bedrock-agentcore-control.xx-test-1.amazonaws.com",
                                  error=socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
    assert _name_not_found(dns) is True
    refused = EndpointConnectionError(endpoint_url="https://x", error=ConnectionRefusedError(111, "refused"))
    assert _name_not_found(refused) is False
    try:  # the chain botocore builds (raise ... from) is followed too
        try:
            raise socket.gaierror(socket.EAI_NONAME, "unknown host")
        except OSError as e:
            raise RuntimeError("wrapped") from e
    except RuntimeError as wrapped:
        assert _name_not_found(wrapped) is True


def test_jwt_allowed_client_that_is_an_unresolved_reference_is_unknown_not_empty():
    # awslabs/amazon-bedrock-agentcore-samples smart-home gateway.tf: allowed_clients = [<client in another file>]
    assert na.jwt_restricted({"discovery_url": "https://idp", "allowed_clients": [None]}) is None
    assert na.jwt_restricted({"discovery_url": "https://idp", "allowed_clients": [UNKNOWN]}) is None
    assert na.jwt_restricted({"discovery_url": "https://idp", "allowed_clients": [None, "client-1"]}) is True
    assert na.jwt_restricted({"discovery_url": "https://idp", "allowed_clients": [""]}) is False
