"""AgentCore, Flows and Prompt management test estates, built through the real API (boto3 -> fake -> moto).

``hardened`` is what a careful team deploys; ``careless`` keeps the defaults and adds the
mistakes the AgentCore rules exist to catch, including a credential in a runtime environment
variable (``SECRET_VALUE``, which must never appear in any output).
"""

from __future__ import annotations

import json

import boto3

SECRET_VALUE = "sk-live-NEVER-IN-OUTPUT-7f3a9c"
OAUTH_SECRET = "oauth-client-secret-NEVER-IN-OUTPUT-81b2"


def clients(region: str) -> dict:
    s = boto3.Session(region_name=region)
    return {n: s.client(n) for n in ("bedrock-agentcore-control", "bedrock-agent", "bedrock", "iam")}


def _role(iam, name: str, *, admin: bool) -> str:
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*" if admin else "lambda:InvokeFunction",
                                                   "Resource": "*" if admin else "arn:aws:lambda:us-east-1:123456789012:function:tool"}]}
    iam.put_role_policy(RoleName=name, PolicyName=f"{name}-inline", PolicyDocument=json.dumps(doc))
    return arn


def _flow_definition(*, guardrail: dict | None, prompt_arn: str, inline_code: bool, kb_model: bool) -> dict:
    prompt_cfg: dict = {"sourceConfiguration": {"resource": {"promptArn": prompt_arn}}}
    if guardrail:
        prompt_cfg["guardrailConfiguration"] = guardrail
    nodes = [
        {"name": "FlowInput", "type": "Input", "configuration": {"input": {}},
         "outputs": [{"name": "document", "type": "String"}]},
        {"name": "Answer", "type": "Prompt", "configuration": {"prompt": prompt_cfg},
         "inputs": [{"name": "question", "type": "String", "expression": "$.data"}],
         "outputs": [{"name": "modelCompletion", "type": "String"}]},
        {"name": "FlowOutput", "type": "Output", "configuration": {"output": {}},
         "inputs": [{"name": "document", "type": "String", "expression": "$.data"}]},
    ]
    if kb_model:
        kb: dict = {"knowledgeBaseId": "KB12345678", "modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0"}
        if guardrail:
            kb["guardrailConfiguration"] = guardrail
        nodes.append({"name": "Policies", "type": "KnowledgeBase", "configuration": {"knowledgeBase": kb},
                      "inputs": [{"name": "retrievalQuery", "type": "String", "expression": "$.data"}],
                      "outputs": [{"name": "outputText", "type": "String"}]})
    if inline_code:
        nodes.append({"name": "Transform", "type": "InlineCode",
                      "configuration": {"inlineCode": {"code": "result = str(variable).upper()", "language": "Python_3"}},
                      "inputs": [{"name": "variable", "type": "String", "expression": "$.data"}],
                      "outputs": [{"name": "response", "type": "String"}]})
    return {"nodes": nodes, "connections": [
        {"type": "Data", "name": "in_to_answer", "source": "FlowInput", "target": "Answer",
         "configuration": {"data": {"sourceOutput": "document", "targetInput": "question"}}}]}


def hardened(region: str, fake) -> dict:
    c = clients(region)
    ac, ag, br = c["bedrock-agentcore-control"], c["bedrock-agent"], c["bedrock"]
    key = f"arn:aws:kms:{region}:123456789012:key/11111111-2222-3333-4444-555555555555"
    role = _role(c["iam"], "agentcore-narrow", admin=False)
    rt = ac.create_agent_runtime(
        agentRuntimeName="good_agent", roleArn=role,
        agentRuntimeArtifact={"containerConfiguration": {"containerUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/a@sha256:" + "0" * 64}},
        networkConfiguration={"networkMode": "VPC", "networkModeConfig": {"securityGroups": ["sg-1"], "subnets": ["subnet-1"]}},
        environmentVariables={"LOG_LEVEL": "info"})
    fake.set_runtime_metadata(rt["agentRuntimeId"], {"requireMMDSV2": True})
    ac.put_resource_policy(resourceArn=rt["agentRuntimeArn"], policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"}, "Action": "bedrock-agentcore:InvokeAgentRuntime",
         "Resource": "*"}]}))
    gw = ac.create_gateway(name="good-gw", roleArn=role, protocolType="MCP", authorizerType="AWS_IAM", kmsKeyArn=key,
                           policyEngineConfiguration={"arn": f"arn:aws:bedrock-agentcore:{region}:123456789012:policy-engine/pe-1", "mode": "ENFORCE"})
    ac.create_gateway_target(gatewayIdentifier=gw["gatewayId"], name="orders",
                             targetConfiguration={"mcp": {"lambda": {"lambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:tool",
                                                                     "toolSchema": {"inlinePayload": []}}}},
                             credentialProviderConfigurations=[{"credentialProviderType": "GATEWAY_IAM_ROLE"}])
    ac.create_memory(name="good_memory", eventExpiryDuration=30, encryptionKeyArn=key)
    ac.create_oauth2_credential_provider(name="crm", credentialProviderVendor="CustomOauth2", oauth2ProviderConfigInput={
        "customOauth2ProviderConfig": {"oauthDiscovery": {"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration"},
                                       "clientId": "aiposture-test", "clientSecret": OAUTH_SECRET}})
    ac.set_token_vault_cmk(kmsConfiguration={"keyType": "CustomerManagedKey", "kmsKeyArn": key})
    ac.create_code_interpreter(name="good_ci", executionRoleArn=role, networkConfiguration={"networkMode": "SANDBOX"})
    ac.create_browser(name="good_browser", executionRoleArn=role, networkConfiguration={
        "networkMode": "VPC", "vpcConfig": {"securityGroups": ["sg-1"], "subnets": ["subnet-1"]}},
        recording={"enabled": True, "s3Location": {"bucket": "rec", "prefix": "b/"}})
    g = br.create_guardrail(name="flow-guard", blockedInputMessaging="no", blockedOutputsMessaging="no",
                            contentPolicyConfig={"filtersConfig": [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"}]})
    ver = br.create_guardrail_version(guardrailIdentifier=g["guardrailId"])["version"]
    p = ag.create_prompt(name="good_prompt", customerEncryptionKeyArn=key, defaultVariant="v1", variants=[
        {"name": "v1", "templateType": "TEXT", "templateConfiguration": {"text": {"text": "Answer {{question}}"}},
         "modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0"}])
    flow = ag.create_flow(name="good-flow", executionRoleArn=role, customerEncryptionKeyArn=key,
                          definition=_flow_definition(guardrail={"guardrailIdentifier": g["guardrailArn"], "guardrailVersion": ver},
                                                      prompt_arn=p["arn"] + ":1", inline_code=True, kb_model=True))
    v = ag.create_flow_version(flowIdentifier=flow["id"])["version"]
    ag.create_flow_alias(flowIdentifier=flow["id"], name="prod", routingConfiguration=[{"flowVersion": v}])
    return {"runtime": rt["agentRuntimeArn"], "flow": flow["arn"], "prompt": p["arn"], "guardrail": g["guardrailArn"],
            "gateway": gw["gatewayArn"]}


def careless(region: str, fake) -> dict:
    c = clients(region)
    ac, ag = c["bedrock-agentcore-control"], c["bedrock-agent"]
    role = _role(c["iam"], "agentcore-admin", admin=True)
    rt = ac.create_agent_runtime(
        agentRuntimeName="bad_agent", roleArn=role,
        agentRuntimeArtifact={"codeConfiguration": {"code": {"s3": {"bucket": "code", "prefix": "bot.zip"}},
                                                    "runtime": "PYTHON_3_12", "entryPoint": ["main.py"]}},
        networkConfiguration={"networkMode": "PUBLIC"},
        authorizerConfiguration={"customJWTAuthorizer": {"discoveryUrl": "https://accounts.google.com/.well-known/openid-configuration"}},
        environmentVariables={"OPENAI_API_KEY": SECRET_VALUE})
    ac.put_resource_policy(resourceArn=rt["agentRuntimeArn"], policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "bedrock-agentcore:InvokeAgentRuntime", "Resource": "*"}]}))
    gw = ac.create_gateway(name="open-gw", roleArn=role, protocolType="MCP", authorizerType="NONE", exceptionLevel="DEBUG",
                           policyEngineConfiguration={"arn": f"arn:aws:bedrock-agentcore:{region}:123456789012:policy-engine/pe-2", "mode": "LOG_ONLY"})
    prov = ac.create_api_key_credential_provider(name="vendor-key", apiKey=SECRET_VALUE)
    ac.create_gateway_target(gatewayIdentifier=gw["gatewayId"], name="vendor-mcp",
                             targetConfiguration={"mcp": {"mcpServer": {"endpoint": "https://mcp.vendor.example.com/mcp"}}},
                             credentialProviderConfigurations=[{"credentialProviderType": "API_KEY", "credentialProvider": {
                                 "apiKeyCredentialProvider": {"providerArn": prov["credentialProviderArn"],
                                                              "credentialParameterName": "X-Api-Key", "credentialLocation": "HEADER"}}}])
    ac.create_memory(name="bad_memory", eventExpiryDuration=365)
    ac.create_code_interpreter(name="bad_ci", executionRoleArn=role, networkConfiguration={"networkMode": "PUBLIC"})
    p = ag.create_prompt(name="bad_prompt", variants=[
        {"name": "v1", "templateType": "TEXT", "templateConfiguration": {"text": {"text": "Answer {{question}}"}}}])
    flow = ag.create_flow(name="bad-flow", executionRoleArn=role,
                          definition=_flow_definition(guardrail=None, prompt_arn=p["arn"], inline_code=True, kb_model=True))
    ag.create_flow_alias(flowIdentifier=flow["id"], name="live", routingConfiguration=[{"flowVersion": "DRAFT"}])
    return {"runtime": rt["agentRuntimeArn"], "runtime_id": rt["agentRuntimeId"], "flow": flow["arn"], "prompt": p["arn"],
            "gateway": gw["gatewayArn"]}
