"""Amazon Bedrock resource types (see :mod:`aiposture.specs`)."""

from __future__ import annotations

from aiposture.specs.model import ApiCall, IacType, Link, ProviderSpec, ResourceSpec, Service


def _call(service: str, operation: str, action: str | None = None) -> ApiCall:
    """A botocore operation and its IAM action (``bedrock-agent`` operations are ``bedrock:`` actions)."""
    prefix = {"bedrock-agent": "bedrock", "bedrock-agentcore-control": "bedrock-agentcore"}.get(service, service)
    return ApiCall(service, operation, (action or f"{prefix}:{operation}",))


N = "aiposture.normalize.aws"

PROVIDER = ProviderSpec(
    provider="aws",
    services=(
        Service("bedrock", "boto3", "Models, guardrails, invocation logging, customization, provisioned throughput",
                client="bedrock"),
        Service("bedrock-agent", "boto3", "Agents, action groups, knowledge bases, data sources, flows, prompts",
                client="bedrock-agent"),
        Service("bedrock-agentcore-control", "boto3", "Bedrock AgentCore runtimes, gateways and targets, memories, "
                "credential providers, token vault, code interpreters, browsers", client="bedrock-agentcore-control"),
        Service("iam", "boto3", "Execution roles, invoke policies, Bedrock API keys (service-specific credentials)",
                client="iam"),
        Service("ec2", "boto3", "Enabled regions; interface VPC endpoints for bedrock-runtime / bedrock-agent-runtime",
                client="ec2"),
        Service("s3", "boto3", "Training and knowledge-base data buckets (versioning, object lock, public access block)",
                client="s3"),
        Service("cloudtrail", "boto3", "Audit trails", client="cloudtrail"),
        Service("organizations", "boto3", "The organization's accounts (--org)", client="organizations"),
        Service("sts", "boto3", "The scanning role in each account (--role-name, --role-arn)", client="sts"),
    ),
    scope_calls=(
        _call("organizations", "ListAccounts"),
        _call("sts", "AssumeRole"),
        _call("ec2", "DescribeRegions"),
    ),
    # read by the IaC readers, but no normalised kind means the same thing for them yet
    unjudged_iac=(
        "awscc_bedrock_prompt_version", "awscc_bedrock_application_inference_profile", "awscc_bedrock_agent_alias",
        "aws_bedrock_inference_profile", "aws_bedrockagent_agent_alias",
    ),
)

_S3 = (_call("s3", "GetBucketVersioning"),
       _call("s3", "GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"),
       _call("s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"))
_ROLES = (_call("iam", "GetAccountAuthorizationDetails"),)
_GUARDRAIL_CALLS = (_call("bedrock", "ListGuardrails"), _call("bedrock", "GetGuardrail"))
# agents (their DRAFT and the versions aliases serve) and account-wide enforcement use guardrails
_FLOW_GUARDRAIL_PATHS = tuple(f"definition.{nodes}.configuration.{node}.guardrail_configuration.guardrail_identifier"
                              for nodes in ("node", "nodes") for node in ("prompt", "knowledge_base"))
_GUARDRAIL_USERS = (
    Link("attached", "AWS::Bedrock::Agent", api_paths=("guardrailConfiguration.guardrailIdentifier",),
         iac_paths=("guardrail_configuration.guardrail_identifier",)),
    # flows: the collector refers with each guarded node's configuration (nodes are a list)
    Link("attached", "AWS::Bedrock::Flow", api_paths=("guardrailConfiguration.guardrailIdentifier",),
         iac_paths=_FLOW_GUARDRAIL_PATHS),
    Link("attached", "AWS::Bedrock::FlowAlias", api_paths=("guardrailConfiguration.guardrailIdentifier",)),
    Link("attached", "AWS::Bedrock::AgentAlias", api_paths=("guardrailConfiguration.guardrailIdentifier",)),
    Link("attached", "AWS::Bedrock::Account", api_paths=("guardrailArn", "guardrailId")),
)

# ---------------------------------------------------------------------------- AgentCore, Flows, Prompt management
A = "aiposture.normalize.aws_agents"
_AC = "bedrock-agentcore-control"
_POLICY = (_call(_AC, "GetResourcePolicy"),)
_RESOURCE_POLICY = IacType("aws_bedrockagentcore_resource_policy", "agc_policy")  # read for the runtime / gateway it protects
_FLOW_LINKS = (IacType("awscc_bedrock_flow_alias", "agc_flow_alias"), IacType("AWS::Bedrock::FlowAlias", "agc_flow_alias"),
               IacType("awscc_bedrock_flow_version", "agc_flow_version"), IacType("AWS::Bedrock::FlowVersion", "agc_flow_version"))
_FLOW_CALLS = (_call("bedrock-agent", "ListFlows"), _call("bedrock-agent", "GetFlow"),
               _call("bedrock-agent", "ListFlowAliases"), _call("bedrock-agent", "GetFlowVersion"), *_ROLES)
AGENTS: tuple[ResourceSpec, ...] = (
    ResourceSpec(
        provider="aws", kind="agent", native_type="AWS::BedrockAgentCore::Runtime", service=_AC,
        title="AgentCore agent runtime (inbound auth, network mode, resource policy, environment variable names)",
        calls=(_call(_AC, "ListAgentRuntimes"), _call(_AC, "GetAgentRuntime"), *_POLICY, *_ROLES),
        iac=(IacType("aws_bedrockagentcore_agent_runtime", "agc_runtime"), IacType("awscc_bedrockagentcore_runtime", "agc_runtime"),
             IacType("AWS::BedrockAgentCore::Runtime", "agc_runtime"), _RESOURCE_POLICY),
        normaliser=f"{A}:runtime",
    ),
    ResourceSpec(
        provider="aws", kind="agent_tool", native_type="AWS::BedrockAgentCore::Gateway", service=_AC,
        title="AgentCore gateway with its targets (inbound authorizer, KMS key, policy engine, outbound credentials)",
        calls=(_call(_AC, "ListGateways"), _call(_AC, "GetGateway"), _call(_AC, "ListGatewayTargets"),
               _call(_AC, "GetGatewayTarget"), *_POLICY, *_ROLES),
        iac=(IacType("aws_bedrockagentcore_gateway", "agc_gateway"), IacType("awscc_bedrockagentcore_gateway", "agc_gateway"),
             IacType("AWS::BedrockAgentCore::Gateway", "agc_gateway"),
             IacType("aws_bedrockagentcore_gateway_target", "agc_target"),
             IacType("awscc_bedrockagentcore_gateway_target", "agc_target"),
             IacType("AWS::BedrockAgentCore::GatewayTarget", "agc_target"), _RESOURCE_POLICY),
        normaliser=f"{A}:gateway",
    ),
    ResourceSpec(
        provider="aws", kind="agent_tool", native_type="AWS::BedrockAgentCore::CodeInterpreterCustom", service=_AC,
        title="AgentCore custom code interpreter (network mode, execution role)",
        calls=(_call(_AC, "ListCodeInterpreters"), _call(_AC, "GetCodeInterpreter"), *_ROLES),
        iac=(IacType("aws_bedrockagentcore_code_interpreter", "agc_code"),
             IacType("awscc_bedrockagentcore_code_interpreter_custom", "agc_code"),
             IacType("AWS::BedrockAgentCore::CodeInterpreterCustom", "agc_code")),
        normaliser=f"{A}:sandbox_tool",
    ),
    ResourceSpec(
        provider="aws", kind="agent_tool", native_type="AWS::BedrockAgentCore::BrowserCustom", service=_AC,
        title="AgentCore custom browser (network mode, recording, execution role)",
        calls=(_call(_AC, "ListBrowsers"), _call(_AC, "GetBrowser"), *_ROLES),
        iac=(IacType("aws_bedrockagentcore_browser", "agc_browser"), IacType("awscc_bedrockagentcore_browser_custom", "agc_browser"),
             IacType("AWS::BedrockAgentCore::BrowserCustom", "agc_browser")),
        normaliser=f"{A}:sandbox_tool",
    ),
    ResourceSpec(
        provider="aws", kind="knowledge_base", native_type="AWS::BedrockAgentCore::Memory", service=_AC,
        title="AgentCore memory (encryption key, event expiry, execution role)",
        calls=(_call(_AC, "ListMemories"), _call(_AC, "GetMemory"), *_ROLES),
        iac=(IacType("aws_bedrockagentcore_memory", "agc_memory"), IacType("awscc_bedrockagentcore_memory", "agc_memory"),
             IacType("AWS::BedrockAgentCore::Memory", "agc_memory")),
        normaliser=f"{A}:memory",
    ),
    ResourceSpec(
        provider="aws", kind="ai_connection", native_type="AWS::BedrockAgentCore::ApiKeyCredentialProvider", service=_AC,
        title="AgentCore API-key credential provider (the key itself is never read)",
        calls=(_call(_AC, "ListApiKeyCredentialProviders"), _call(_AC, "GetApiKeyCredentialProvider")),
        iac=(IacType("aws_bedrockagentcore_api_key_credential_provider", "agc_apikey"),
             IacType("awscc_bedrockagentcore_api_key_credential_provider", "agc_apikey"),
             IacType("AWS::BedrockAgentCore::ApiKeyCredentialProvider", "agc_apikey")),
        normaliser=f"{A}:credential_provider",
    ),
    ResourceSpec(
        provider="aws", kind="ai_connection", native_type="AWS::BedrockAgentCore::OAuth2CredentialProvider", service=_AC,
        title="AgentCore OAuth2 credential provider (the client secret is never read)",
        calls=(_call(_AC, "ListOauth2CredentialProviders"), _call(_AC, "GetOauth2CredentialProvider")),
        iac=(IacType("aws_bedrockagentcore_oauth2_credential_provider", "agc_oauth"),
             IacType("awscc_bedrockagentcore_o_auth_2_credential_provider", "agc_oauth"),
             IacType("AWS::BedrockAgentCore::OAuth2CredentialProvider", "agc_oauth")),
        normaliser=f"{A}:credential_provider",
    ),
    ResourceSpec(
        provider="aws", kind="ai_service", native_type="AWS::BedrockAgentCore::TokenVault", service=_AC,
        title="AgentCore of one account and region: the token vault's encryption",
        calls=(_call(_AC, "GetTokenVault"),),
        iac=(IacType("aws_bedrockagentcore_token_vault_cmk", "agc_vault"),),
        normaliser=f"{A}:token_vault",
    ),
    ResourceSpec(
        provider="aws", kind="agent", native_type="AWS::Bedrock::Flow", service="bedrock-agent",
        title="Bedrock flow (its DRAFT): guardrails of generating nodes, KMS key, execution role, aliases on DRAFT",
        calls=_FLOW_CALLS,
        iac=(IacType("aws_bedrockagent_flow", "agc_flow"), IacType("awscc_bedrock_flow", "agc_flow"),
             IacType("AWS::Bedrock::Flow", "agc_flow"), *_FLOW_LINKS),
        normaliser=f"{A}:flow",
    ),
    ResourceSpec(
        provider="aws", kind="agent", native_type="AWS::Bedrock::FlowAlias", service="bedrock-agent",
        title="Flow alias serving a published flow version (what production calls)",
        calls=_FLOW_CALLS,
        normaliser=f"{A}:flow",
    ),
    ResourceSpec(
        provider="aws", kind="prompt_template", native_type="AWS::Bedrock::Prompt", service="bedrock-agent",
        title="Prompt management prompt (KMS key, tools; judged through the flow nodes that run it)",
        calls=(_call("bedrock-agent", "ListPrompts"), _call("bedrock-agent", "GetPrompt")),
        iac=(IacType("aws_bedrockagent_prompt", "agc_prompt"), IacType("awscc_bedrock_prompt", "agc_prompt"),
             IacType("AWS::Bedrock::Prompt", "agc_prompt")),
        normaliser=f"{A}:prompt",
    ),
)

SPECS: tuple[ResourceSpec, ...] = (
    ResourceSpec(
        provider="aws", kind="ai_service", native_type="AWS::Bedrock::Account", service="bedrock",
        title="Bedrock settings of one account and region (invocation logging, enforced guardrails, endpoints, trails)",
        calls=(_call("bedrock", "GetModelInvocationLoggingConfiguration"),
               _call("bedrock", "ListEnforcedGuardrailsConfiguration"), _call("bedrock", "GetAccountDataRetention"),
               _call("ec2", "DescribeVpcEndpoints"), _call("cloudtrail", "DescribeTrails"),
               _call("cloudtrail", "GetTrailStatus"), _call("cloudtrail", "GetEventSelectors")),
        iac=(IacType("aws_bedrock_model_invocation_logging_configuration", "invocation_logging"),
             IacType("aws_vpc_endpoint", "vpc_endpoint"), IacType("AWS::EC2::VPCEndpoint", "vpc_endpoint")),
        normaliser=f"{N}:invocation_logging",
    ),
    ResourceSpec(
        provider="aws", kind="content_filter", native_type="AWS::Bedrock::Guardrail", service="bedrock",
        title="Guardrail (its DRAFT working copy)",
        calls=_GUARDRAIL_CALLS,
        iac=(IacType("aws_bedrock_guardrail", "guardrail"), IacType("AWS::Bedrock::Guardrail", "guardrail"),
             IacType("awscc_bedrock_guardrail", "guardrail")),
        normaliser=f"{N}:guardrail",
        links=(*_GUARDRAIL_USERS,
               Link("attached", "AWS::Bedrock::GuardrailVersion", iac_paths=("guardrail_arn", "guardrail_identifier"))),
    ),
    ResourceSpec(
        provider="aws", kind="content_filter", native_type="AWS::Bedrock::GuardrailVersion", service="bedrock",
        title="Published (immutable) guardrail version",
        calls=_GUARDRAIL_CALLS,
        # read to link a guardrail as used; judged through its guardrail in IaC
        iac=(IacType("aws_bedrock_guardrail_version", "guardrail_version"),
             IacType("AWS::Bedrock::GuardrailVersion", "guardrail_version"),
             IacType("awscc_bedrock_guardrail_version", "guardrail_version")),
        normaliser=f"{N}:guardrail",
        links=_GUARDRAIL_USERS,
    ),
    ResourceSpec(
        provider="aws", kind="agent", native_type="AWS::Bedrock::Agent", service="bedrock-agent",
        title="Agent (its DRAFT working copy) with its action groups and execution role",
        calls=(_call("bedrock-agent", "ListAgents"), _call("bedrock-agent", "GetAgent"),
               _call("bedrock-agent", "ListAgentActionGroups"), _call("bedrock-agent", "GetAgentActionGroup"), *_ROLES),
        iac=(IacType("aws_bedrockagent_agent", "agent"), IacType("AWS::Bedrock::Agent", "agent"),
             IacType("awscc_bedrock_agent", "agent"), IacType("aws_bedrockagent_agent_action_group", "action_group")),
        normaliser=f"{N}:agent",
    ),
    ResourceSpec(
        provider="aws", kind="agent", native_type="AWS::Bedrock::AgentAlias", service="bedrock-agent",
        title="Agent alias serving a published agent version (what production calls)",
        calls=(_call("bedrock-agent", "ListAgentAliases"), _call("bedrock-agent", "GetAgentVersion"),
               _call("bedrock-agent", "ListAgentActionGroups"), _call("bedrock-agent", "GetAgentActionGroup"), *_ROLES),
        normaliser=f"{N}:agent",
    ),
    ResourceSpec(
        provider="aws", kind="knowledge_base", native_type="AWS::Bedrock::KnowledgeBase", service="bedrock-agent",
        title="Knowledge base with its data sources and their buckets",
        calls=(_call("bedrock-agent", "ListKnowledgeBases"), _call("bedrock-agent", "GetKnowledgeBase"),
               _call("bedrock-agent", "ListDataSources"), _call("bedrock-agent", "GetDataSource"), *_S3, *_ROLES),
        iac=(IacType("aws_bedrockagent_knowledge_base", "knowledge_base"),
             IacType("AWS::Bedrock::KnowledgeBase", "knowledge_base"),
             IacType("awscc_bedrock_knowledge_base", "knowledge_base"),
             IacType("aws_bedrockagent_data_source", "data_source"), IacType("AWS::Bedrock::DataSource", "data_source"),
             IacType("awscc_bedrock_data_source", "data_source")),
        normaliser=f"{N}:knowledge_base",
    ),
    ResourceSpec(
        provider="aws", kind="training_job", native_type="AWS::Bedrock::ModelCustomizationJob", service="bedrock",
        title="Model customization job (fine-tuning, continued pre-training, distillation)",
        calls=(_call("bedrock", "ListModelCustomizationJobs"), _call("bedrock", "GetModelCustomizationJob"),
               *_S3, *_ROLES),
        iac=(IacType("aws_bedrock_custom_model", "customization"),),
        normaliser=f"{N}:customization",
    ),
    ResourceSpec(
        provider="aws", kind="custom_model", native_type="AWS::Bedrock::CustomModel", service="bedrock",
        title="Custom model (customized, distilled or imported)",
        calls=(_call("bedrock", "ListCustomModels"), _call("bedrock", "GetCustomModel"), *_S3),
        iac=(IacType("aws_bedrock_custom_model", "customization"),),
        normaliser=f"{N}:customization",
    ),
    ResourceSpec(
        provider="aws", kind="model_deployment", native_type="AWS::Bedrock::ProvisionedModelThroughput",
        service="bedrock", title="Provisioned throughput",
        calls=(_call("bedrock", "ListProvisionedModelThroughputs"),),
        iac=(IacType("aws_bedrock_provisioned_model_throughput", "provisioned_throughput"),),
        normaliser=f"{N}:provisioned_throughput",
    ),
    ResourceSpec(
        provider="aws", kind="model_deployment", native_type="AWS::Bedrock::ApplicationInferenceProfile",
        service="bedrock", title="Application inference profile (type APPLICATION)",
        calls=(_call("bedrock", "ListInferenceProfiles"),),
        normaliser=f"{N}:inference_profile",
    ),
    ResourceSpec(
        provider="aws", kind="identity_binding", native_type="AWS::IAM::Policy", service="iam",
        title="IAM policy statement that lets a principal invoke models",
        calls=_ROLES,
        normaliser=f"{N}:invoke_grant",
    ),
    ResourceSpec(
        provider="aws", kind="identity_binding", native_type="AWS::IAM::ServiceSpecificCredential", service="iam",
        title="Bedrock API key (IAM service-specific credential)",
        calls=(_call("iam", "ListServiceSpecificCredentials"),),
    ),
    *AGENTS,
)
