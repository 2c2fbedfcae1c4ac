"""Amazon Bedrock resource types (see :mod:`aiposture.specs`)."""

from __future__ import annotations

from aiposture.specs.model import ApiCall, IacType, Link, ProviderSpec, ResourceSpec, Service


def _call(service: str, operation: str, action: str | None = None) -> ApiCall:
    """A botocore operation and its IAM action (``bedrock-agent`` operations are ``bedrock:`` actions)."""
    prefix = {"bedrock-agent": "bedrock"}.get(service, service)
    return ApiCall(service, operation, (action or f"{prefix}:{operation}",))


N = "aiposture.normalize.aws"

PROVIDER = ProviderSpec(
    provider="aws",
    services=(
        Service("bedrock", "boto3", "Models, guardrails, invocation logging, customization, provisioned throughput",
                client="bedrock"),
        Service("bedrock-agent", "boto3", "Agents, action groups, knowledge bases, data sources", client="bedrock-agent"),
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
        "awscc_bedrock_flow", "awscc_bedrock_flow_alias", "awscc_bedrock_flow_version", "awscc_bedrock_prompt",
        "awscc_bedrock_prompt_version", "awscc_bedrock_application_inference_profile", "awscc_bedrock_agent_alias",
        "aws_bedrockagent_flow", "aws_bedrockagent_prompt", "aws_bedrock_inference_profile", "aws_bedrockagent_agent_alias",
    ),
)

_S3 = (_call("s3", "GetBucketVersioning"),
       _call("s3", "GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"),
       _call("s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"))
_ROLES = (_call("iam", "GetAccountAuthorizationDetails"),)
_GUARDRAIL_CALLS = (_call("bedrock", "ListGuardrails"), _call("bedrock", "GetGuardrail"))
# agents (their DRAFT and the versions aliases serve) and account-wide enforcement use guardrails
_GUARDRAIL_USERS = (
    Link("attached", "AWS::Bedrock::Agent", api_paths=("guardrailConfiguration.guardrailIdentifier",),
         iac_paths=("guardrail_configuration.guardrail_identifier",)),
    Link("attached", "AWS::Bedrock::AgentAlias", api_paths=("guardrailConfiguration.guardrailIdentifier",)),
    Link("attached", "AWS::Bedrock::Account", api_paths=("guardrailArn", "guardrailId")),
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
)
