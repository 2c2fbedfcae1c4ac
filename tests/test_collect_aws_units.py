"""Fast checks of the AWS collector's parts: strict parsing, retries, region names, unknown enum values."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("botocore")

import botocore.session

from aiposture.collect.aws_bedrock import AWS_ATTRS, unknown_attrs
from aiposture.collect.aws_session import AwsOptions, check_regions, classify
from aiposture.collect.aws_transport import MalformedResponse, RetryPolicy, StrictParserFactory
from aiposture.errors import AiPostureError
from aiposture.normalize import aws as naws
from aiposture.normalize.values import snake_keys

MODELS = botocore.session.get_session()


def parse(service: str, op: str, body: bytes, status: int = 200):
    model = MODELS.get_service_model(service)
    op_model = model.operation_model(op)
    parser = StrictParserFactory().create_parser(model.resolved_protocol)
    return parser.parse({"status_code": status, "headers": {}, "body": body}, op_model.output_shape)


def test_strict_parser_reads_what_the_model_allows():
    doc = parse("bedrock", "ListGuardrails", json.dumps({"guardrails": [{
        "id": "abc", "arn": "arn:aws:bedrock:us-east-1:1:guardrail/abc", "status": "READY", "name": "g", "version": "DRAFT",
        "createdAt": "2024-01-01T00:00:00Z", "updatedAt": 1704067200}]}).encode())
    assert doc["guardrails"][0]["id"] == "abc"
    assert parse("bedrock", "GetModelInvocationLoggingConfiguration", b"{}")["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize("body, why", [
    (b"<html>502</html>", "not valid JSON"),
    (b'{"loggingConfig": {"s3Config"', "not valid JSON"),
    (b"", "empty body"),
    (b"null", "not an object|NoneType"),
    (b'{"loggingConfig": []}', "expected structure, got list"),
    (b'{"loggingConfig": {"textDataDeliveryEnabled": "yes"}}', "expected boolean, got str"),
    (b'{"loggingConfig": {"s3Config": {"bucketName": 7}}}', "expected string, got int"),
])
def test_strict_parser_refuses_what_botocore_would_read_as_not_configured(body, why):
    with pytest.raises(MalformedResponse, match=why):
        parse("bedrock", "GetModelInvocationLoggingConfiguration", body)


def test_strict_parser_xml_flags_and_numbers():
    ok = (b'<GetAccountAuthorizationDetailsResponse><GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated>'
          b'</GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>')
    assert parse("iam", "GetAccountAuthorizationDetails", ok)["IsTruncated"] is False
    with pytest.raises(MalformedResponse, match="expected true or false"):
        parse("iam", "GetAccountAuthorizationDetails", ok.replace(b">false<", b">maybe<"))
    with pytest.raises(MalformedResponse):
        parse("iam", "GetAccountAuthorizationDetails", ok[:40])
    # error answers are left to botocore's error parsing (they become ClientError, not MalformedResponse)
    err = parse("bedrock", "ListGuardrails", b'{"message": "slow down"}', status=429)
    assert err["Error"]["Message"] == "slow down"


def test_retry_policy_counts_attempts_and_gives_network_failures_one_retry():
    from botocore.exceptions import ConnectionClosedError

    model = MODELS.get_service_model("bedrock").operation_model("ListGuardrails")

    from types import SimpleNamespace

    throttled = (SimpleNamespace(status_code=429, headers={}), {"Error": {"Code": "ThrottlingException"}, "ResponseMetadata": {"HTTPStatusCode": 429}})
    policy = RetryPolicy(3)
    delays = [policy.needs_retry(response=throttled, attempts=n, operation=model, caught_exception=None, request_dict={"context": {}})
              for n in (1, 2, 3)]
    assert delays[0] is not None and delays[1] is not None and delays[2] is None  # 3 attempts in total
    closed = ConnectionClosedError(endpoint_url="https://bedrock.eu-west-1.amazonaws.com")
    net = [policy.needs_retry(response=None, attempts=n, operation=model, caught_exception=closed, request_dict={"context": {}})
           for n in (1, 2)]
    assert net[0] is not None and net[1] is None
    assert classify(closed)[0] == "EndpointUnreachable"
    assert classify(MalformedResponse("x"))[0] == "MalformedResponse"


def test_region_names_come_from_botocore_partitions():
    check_regions(["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "ap-south-9"])  # a future region passes
    with pytest.raises(AiPostureError, match="did you mean us-east-1"):
        check_regions(["us-east1"])
    with pytest.raises(AiPostureError, match="not an AWS region"):
        check_regions(["moon-base-1a"])
    with pytest.raises(AiPostureError, match="--role-name"):
        AwsOptions(org=True).validate()
    with pytest.raises(AiPostureError, match="12-digit"):
        AwsOptions(accounts=["12345"], role_name="r").validate()


def test_unknown_enum_values_are_unknown_not_an_extreme():
    g = naws.guardrail(snake_keys({"contentPolicy": {"filters": [
        {"type": "PROMPT_ATTACK", "inputStrength": "EXTREME", "outputStrength": "NONE"},
        {"type": "HATE", "inputStrength": "HIGH", "outputStrength": "HIGH", "inputAction": "QUARANTINE"}]}}))
    assert g["prompt_attack"]["input_strength"] is None and g["prompt_attack"]["input_action"] is None
    assert g["harm_categories"]["hate"]["input_action"] is None and g["mode"] is None
    groups = naws.action_groups([{"action_group_state": "PAUSED", "function_schema": {"functions": [{"name": "f"}]}}])
    assert groups["without_confirmation"] is None
    groups = naws.action_groups([{"action_group_state": "ENABLED", "function_schema": {"functions": [
        {"name": "f", "require_confirmation": "SOMETIMES"}]}}])
    assert groups["without_confirmation"] is None
    known = naws.action_groups([{"action_group_state": "ENABLED", "function_schema": {"functions": [{"name": "f"}]}}])
    assert known["without_confirmation"] == 1


def test_iam_documents_of_the_wrong_shape_are_unreadable():
    assert naws.statements({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": ["x"]}]}) is None
    assert naws.statements({"Statement": ["Allow everything"]}) is None
    assert naws.statements({"Statement": {"Effect": "Allow", "Action": {"a": 1}, "Resource": "*"}}) is None
    assert naws.statements({"Statement": {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}}) is not None
    assert naws.endpoint_policy_restrictive({"Statement": [42]}) is None


def test_unreadable_items_null_every_attribute_the_collector_fills():
    for kind, names in AWS_ATTRS.items():
        assert unknown_attrs(kind) == dict.fromkeys(names)


def test_strict_parser_xml_that_is_not_the_answer():
    page = b"<html><body>502 Bad Gateway</body></html>"
    with pytest.raises(MalformedResponse, match="not this operation's answer"):
        parse("ec2", "DescribeVpcEndpoints", page)
    with pytest.raises(MalformedResponse, match="not this operation's answer"):
        parse("s3", "GetBucketVersioning", page)
    ok = b'<?xml version="1.0"?><DescribeVpcEndpointsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"></DescribeVpcEndpointsResponse>'
    assert parse("ec2", "DescribeVpcEndpoints", ok)["ResponseMetadata"]["HTTPStatusCode"] == 200
