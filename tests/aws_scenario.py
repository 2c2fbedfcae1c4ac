"""Build AWS test scenarios through the real API (boto3 -> local fake -> moto).

``hardened`` configures an account the way a careful team would; ``careless``
leaves the defaults and adds the mistakes the rule pack exists to catch,
including a guardrail whose prompt-attack filter is configured but does not
act (action NONE).
"""

from __future__ import annotations

import json

import boto3

REGION = "us-east-1"


def clients(creds: dict | None, region: str = REGION):
    kw = {"region_name": region}
    if creds:
        kw.update(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                  aws_session_token=creds["SessionToken"])
    s = boto3.Session(**kw)
    return {n: s.client(n) for n in ("bedrock", "bedrock-agent", "iam", "s3", "ec2", "cloudtrail", "sts")}


def make_org(member_names: list[str]) -> list[str]:
    """An organization in the default account with the given member accounts; returns their ids."""
    org = boto3.client("organizations", region_name=REGION)
    org.create_organization(FeatureSet="ALL")
    ids = []
    for n in member_names:
        st = org.create_account(Email=f"{n}@example.com", AccountName=n)["CreateAccountStatus"]
        ids.append(st["AccountId"])
    return ids


def assume(account: str, role: str = "OrganizationAccountAccessRole") -> dict:
    sts = boto3.client("sts", region_name=REGION)
    return sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="setup")["Credentials"]


def _role(iam, name: str, policy: dict, *, managed_arn: str | None = None) -> str:
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName=f"{name}-inline", PolicyDocument=json.dumps(policy))
    if managed_arn:
        iam.attach_role_policy(RoleName=name, PolicyArn=managed_arn)
    return arn


def _bucket(s3, name: str, *, hardened: bool) -> None:
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=hardened)
    if hardened:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})


FILTERS = ("HATE", "SEXUAL", "VIOLENCE", "INSULTS", "MISCONDUCT")


def hardened(c: dict, account: str, tag: str = "good") -> dict:
    """A well-configured account. Returns ids of what it created."""
    br, ag, iam, s3, ec2, ct = (c[k] for k in ("bedrock", "bedrock-agent", "iam", "s3", "ec2", "cloudtrail"))
    key = f"arn:aws:kms:{REGION}:{account}:key/11111111-2222-3333-4444-555555555555"
    g = br.create_guardrail(
        name=f"{tag}-guardrail", blockedInputMessaging="Blocked", blockedOutputsMessaging="Blocked", kmsKeyId=key,
        contentPolicyConfig={"filtersConfig": [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"}]
                             + [{"type": t, "inputStrength": "HIGH", "outputStrength": "HIGH"} for t in FILTERS]},
        sensitiveInformationPolicyConfig={"piiEntitiesConfig": [{"type": "EMAIL", "action": "ANONYMIZE"},
                                                                {"type": "US_SOCIAL_SECURITY_NUMBER", "action": "BLOCK"}]},
        contextualGroundingPolicyConfig={"filtersConfig": [{"type": "GROUNDING", "threshold": 0.8},
                                                           {"type": "RELEVANCE", "threshold": 0.7}]},
    )
    ver = br.create_guardrail_version(guardrailIdentifier=g["guardrailId"])["version"]
    br.put_enforced_guardrail_configuration(guardrailInferenceConfig={
        "guardrailIdentifier": g["guardrailArn"], "guardrailVersion": ver,
        "modelEnforcement": {"includedModels": ["ALL"], "excludedModels": []}})

    s3.create_bucket(Bucket=f"{tag}-invocation-logs")
    br.put_model_invocation_logging_configuration(loggingConfig={
        "s3Config": {"bucketName": f"{tag}-invocation-logs", "keyPrefix": "bedrock"},
        "textDataDeliveryEnabled": True, "imageDataDeliveryEnabled": True, "embeddingDataDeliveryEnabled": True})
    s3.create_bucket(Bucket=f"{tag}-trail")
    ct.create_trail(Name=f"{tag}-trail", S3BucketName=f"{tag}-trail", IsMultiRegionTrail=True)
    ct.start_logging(Name=f"{tag}-trail")

    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.bedrock-runtime", VpcEndpointType="Interface",
                            PolicyDocument=json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:role/{tag}-app"},
                                                                      "Action": "bedrock:InvokeModel", "Resource": "*"}]}))

    model_arn = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    _role(iam, f"{tag}-app", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], "Resource": model_arn,
        "Condition": {"StringEquals": {"bedrock:GuardrailIdentifier": f"{g['guardrailArn']}:{ver}"}}}]})
    agent_role = _role(iam, f"{tag}-agent-role", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": model_arn,
        "Condition": {"StringEquals": {"bedrock:GuardrailIdentifier": f"{g['guardrailArn']}:{ver}"}}}]})
    iam.create_user(UserName=f"{tag}-dev")
    iam.create_service_specific_credential(UserName=f"{tag}-dev", ServiceName="bedrock.amazonaws.com", CredentialAgeDays=30)

    agent = ag.create_agent(agentName=f"{tag}-agent", agentResourceRoleArn=agent_role, foundationModel=model_arn,
                            customerEncryptionKeyArn=key, idleSessionTTLInSeconds=900,
                            guardrailConfiguration={"guardrailIdentifier": g["guardrailId"], "guardrailVersion": ver})["agent"]
    ag.create_agent_action_group(agentId=agent["agentId"], agentVersion="DRAFT", actionGroupName="refunds",
                                 actionGroupExecutor={"lambda": f"arn:aws:lambda:{REGION}:{account}:function:refund"},
                                 functionSchema={"functions": [{"name": "refund", "requireConfirmation": "ENABLED"}]})
    ag.create_agent_action_group(agentId=agent["agentId"], agentVersion="DRAFT", actionGroupName="code",
                                 parentActionGroupSignature="AMAZON.CodeInterpreter")
    ag.create_agent_alias(agentId=agent["agentId"], agentAliasName="prod")  # snapshots the DRAFT as version 1

    _bucket(s3, f"{tag}-training", hardened=True)
    job_role = _role(iam, f"{tag}-ft-role", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{tag}-training/*"}]})
    br.create_model_customization_job(
        jobName=f"{tag}-ft", customModelName=f"{tag}-model", roleArn=job_role, baseModelIdentifier="amazon.titan-text-lite-v1",
        trainingDataConfig={"s3Uri": f"s3://{tag}-training/train.jsonl"}, outputDataConfig={"s3Uri": f"s3://{tag}-training/out/"},
        validationDataConfig={"validators": [{"s3Uri": f"s3://{tag}-training/validation.jsonl"}]},
        hyperParameters={"epochCount": "1"}, customModelKmsKeyId=key,
        vpcConfig={"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]})
    br.create_provisioned_model_throughput(modelUnits=1, provisionedModelName=f"{tag}-pt",
                                           modelId="amazon.titan-text-lite-v1")

    kb_role = _role(iam, f"{tag}-kb-role", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{tag}-training/*"}]})
    kb = ag.create_knowledge_base(
        name=f"{tag}-kb", roleArn=kb_role,
        knowledgeBaseConfiguration={"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {
            "embeddingModelArn": f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-embed-text-v2:0"}},
        storageConfiguration={"type": "OPENSEARCH_SERVERLESS", "opensearchServerlessConfiguration": {
            "collectionArn": f"arn:aws:aoss:{REGION}:{account}:collection/kb", "vectorIndexName": "i",
            "fieldMapping": {"vectorField": "v", "textField": "t", "metadataField": "m"}}})["knowledgeBase"]
    ag.create_data_source(knowledgeBaseId=kb["knowledgeBaseId"], name="docs", dataDeletionPolicy="RETAIN",
                          dataSourceConfiguration={"type": "S3", "s3Configuration": {"bucketArn": f"arn:aws:s3:::{tag}-training"}},
                          serverSideEncryptionConfiguration={"kmsKeyArn": key})
    return {"guardrail": g["guardrailId"], "agent": agent["agentId"]}


def careless(c: dict, account: str, tag: str = "bad") -> dict:
    """Defaults plus common mistakes."""
    br, ag, iam, s3 = (c[k] for k in ("bedrock", "bedrock-agent", "iam", "s3"))
    g = br.create_guardrail(
        name=f"{tag}-guardrail", blockedInputMessaging="Blocked", blockedOutputsMessaging="Blocked",
        # configured but ineffective: the prompt-attack filter only annotates (action NONE)
        contentPolicyConfig={"filtersConfig": [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE",
                                                "inputAction": "NONE"}]
                             + [{"type": t, "inputStrength": "LOW", "outputStrength": "LOW"} for t in FILTERS]},
    )
    admin = iam.create_policy(PolicyName=f"{tag}-admin", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))["Policy"]["Arn"]
    _role(iam, f"{tag}-app", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]})
    agent_role = _role(iam, f"{tag}-agent-role", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, managed_arn=admin)
    iam.create_user(UserName=f"{tag}-dev")
    iam.create_service_specific_credential(UserName=f"{tag}-dev", ServiceName="bedrock.amazonaws.com")

    agent = ag.create_agent(agentName=f"{tag}-agent", agentResourceRoleArn=agent_role, foundationModel="anthropic.claude-v2",
                            idleSessionTTLInSeconds=86400)["agent"]
    ag.create_agent_action_group(agentId=agent["agentId"], agentVersion="DRAFT", actionGroupName="payments",
                                 actionGroupExecutor={"lambda": f"arn:aws:lambda:{REGION}:{account}:function:pay"},
                                 functionSchema={"functions": [{"name": "pay"}, {"name": "refund", "requireConfirmation": "ENABLED"}]})
    ag.create_agent_action_group(agentId=agent["agentId"], agentVersion="DRAFT", actionGroupName="code",
                                 parentActionGroupSignature="AMAZON.CodeInterpreter")

    _bucket(s3, f"{tag}-training", hardened=False)
    br.create_model_customization_job(
        jobName=f"{tag}-ft", customModelName=f"{tag}-model", roleArn=agent_role, baseModelIdentifier="amazon.titan-text-lite-v1",
        trainingDataConfig={"s3Uri": f"s3://{tag}-training/train.jsonl"}, outputDataConfig={"s3Uri": f"s3://{tag}-training/out/"},
        hyperParameters={"epochCount": "1"})
    kb = ag.create_knowledge_base(
        name=f"{tag}-kb", roleArn=agent_role,
        knowledgeBaseConfiguration={"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {
            "embeddingModelArn": f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-embed-text-v2:0"}},
        storageConfiguration={"type": "OPENSEARCH_SERVERLESS", "opensearchServerlessConfiguration": {
            "collectionArn": f"arn:aws:aoss:{REGION}:{account}:collection/kb", "vectorIndexName": "i",
            "fieldMapping": {"vectorField": "v", "textField": "t", "metadataField": "m"}}})["knowledgeBase"]
    ag.create_data_source(knowledgeBaseId=kb["knowledgeBaseId"], name="web", dataSourceConfiguration={
        "type": "WEB", "webConfiguration": {"sourceConfiguration": {"urlConfiguration": {"seedUrls": [{"url": "https://example.com"}]}}}})
    return {"guardrail": g["guardrailId"], "agent": agent["agentId"]}
