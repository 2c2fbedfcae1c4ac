resource "aws_kms_key" "k" {}
resource "aws_iam_role" "narrow" {
  name               = "narrow"
  assume_role_policy = "{}"
}
resource "aws_bedrockagentcore_agent_runtime" "bad" {
  agent_runtime_name = "bad"
  role_arn           = "arn:aws:iam::1:role/x"
  agent_runtime_artifact {
    container_configuration { container_uri = "1.dkr.ecr.us-east-1.amazonaws.com/a:latest" }
  }
  network_configuration { network_mode = "PUBLIC" }
  authorizer_configuration {
    custom_jwt_authorizer { discovery_url = "https://accounts.google.com/.well-known/openid-configuration" }
  }
  environment_variables = { OPENAI_API_KEY = "sk-in-the-repo" }
}
resource "aws_bedrockagentcore_agent_runtime" "good" {
  agent_runtime_name = "good"
  role_arn           = aws_iam_role.narrow.arn
  agent_runtime_artifact {
    container_configuration { container_uri = "1.dkr.ecr.us-east-1.amazonaws.com/a:latest" }
  }
  network_configuration {
    network_mode = "VPC"
    network_mode_config {
      security_groups = ["sg-1"]
      subnets         = ["subnet-1"]
    }
  }
  authorizer_configuration {
    custom_jwt_authorizer {
      discovery_url    = "https://cognito-idp.eu-west-1.amazonaws.com/p/.well-known/openid-configuration"
      allowed_audience = ["app"]
    }
  }
}
resource "aws_bedrockagentcore_resource_policy" "open" {
  resource_arn = aws_bedrockagentcore_agent_runtime.bad.agent_runtime_arn
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "bedrock-agentcore:InvokeAgentRuntime", Resource = "*" }] })
}
resource "aws_bedrockagentcore_gateway" "open" {
  name            = "open"
  role_arn        = "arn:aws:iam::1:role/x"
  authorizer_type = "NONE"
  protocol_type   = "MCP"
  exception_level = "DEBUG"
}
resource "aws_bedrockagentcore_api_key_credential_provider" "vendor" {
  name    = "vendor"
  api_key = "in-the-repo"
}
resource "aws_bedrockagentcore_gateway_target" "vendor" {
  gateway_identifier = aws_bedrockagentcore_gateway.open.gateway_id
  name               = "vendor"
  target_configuration {
    mcp {
      mcp_server { endpoint = "https://mcp.vendor.example.com/mcp" }
    }
  }
  credential_provider_configuration {
    api_key {
      provider_arn       = aws_bedrockagentcore_api_key_credential_provider.vendor.credential_provider_arn
      credential_location = "HEADER"
    }
  }
}
resource "aws_bedrockagentcore_gateway" "iam" {
  name            = "iam"
  role_arn        = "arn:aws:iam::1:role/x"
  authorizer_type = "AWS_IAM"
  protocol_type   = "MCP"
  kms_key_arn     = aws_kms_key.k.arn
}
resource "aws_bedrockagentcore_gateway_target" "lambda" {
  gateway_identifier = aws_bedrockagentcore_gateway.iam.gateway_id
  name               = "orders"
  target_configuration {
    mcp {
      lambda {
        lambda_arn = "arn:aws:lambda:us-east-1:1:function:f"
      }
    }
  }
  credential_provider_configuration {
    gateway_iam_role {}
  }
}
resource "aws_bedrockagentcore_memory" "bad" {
  name                  = "bad"
  event_expiry_duration = 365
}
resource "aws_bedrockagentcore_memory" "good" {
  name                  = "good"
  event_expiry_duration = 30
  encryption_key_arn    = aws_kms_key.k.arn
}
resource "aws_bedrockagentcore_code_interpreter" "public" {
  name = "pub"
  network_configuration { network_mode = "PUBLIC" }
}
resource "aws_bedrock_guardrail" "g" {
  name                      = "g"
  blocked_input_messaging   = "no"
  blocked_outputs_messaging = "no"
  content_policy_config {
    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = "HIGH"
      output_strength = "NONE"
    }
  }
}
resource "aws_bedrock_guardrail_version" "v1" {
  guardrail_arn = aws_bedrock_guardrail.g.guardrail_arn
}
resource "awscc_bedrock_prompt" "p" {
  name = "p"
}
resource "aws_bedrockagent_flow" "guarded" {
  name               = "guarded"
  execution_role_arn = "arn:aws:iam::1:role/flow"
  customer_encryption_key_arn = aws_kms_key.k.arn
  definition {
    node {
      name = "Answer"
      type = "Prompt"
      configuration {
        prompt {
          source_configuration {
            resource { prompt_arn = awscc_bedrock_prompt.p.arn }
          }
          guardrail_configuration {
            guardrail_identifier = aws_bedrock_guardrail.g.guardrail_id
            guardrail_version    = aws_bedrock_guardrail_version.v1.version
          }
        }
      }
    }
  }
}
resource "awscc_bedrock_flow" "open" {
  name               = "open"
  execution_role_arn = "arn:aws:iam::1:role/flow"
  definition = {
    nodes = [{
      name = "Answer"
      type = "Prompt"
      configuration = {
        prompt = {
          source_configuration = { resource = { prompt_arn = awscc_bedrock_prompt.p.arn } }
        }
      }
    }]
  }
}
resource "awscc_bedrock_flow_alias" "live" {
  name     = "live"
  flow_arn = awscc_bedrock_flow.open.arn
  routing_configuration = [{ flow_version = "DRAFT" }]
}
