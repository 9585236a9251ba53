"""``aws.iam.get_policy_document`` offline, against the documents terraform-provider-aws's own
acceptance tests expect (internal/service/iam/policy_document_data_source_test.go): each case
is that test's configuration, in the camelCase arguments pulumi-aws sends, and its expected
``json`` byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preflight.policy_document import PolicyDocumentError, policy_document
from tests.harness import run_preflight, write_program


def _json(args: dict[str, Any]) -> str:
    return str(policy_document(args)["json"])


def _basic(partition: str) -> dict[str, Any]:
    """testAccPolicyDocumentDataSourceConfig_basic."""
    return {
        "policyId": "policy_id",
        "statements": [
            {
                "sid": "1",
                "actions": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
                "resources": [f"arn:{partition}:s3:::*"],
            },
            {
                "actions": ["s3:ListBucket"],
                "resources": [f"arn:{partition}:s3:::foo"],
                "conditions": [
                    {
                        "test": "StringLike",
                        "variable": "s3:prefix",
                        "values": ["home/", "", "home/&{aws:username}/"],
                    }
                ],
                "notPrincipals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}],
            },
            {
                "actions": ["s3:*"],
                "resources": [
                    f"arn:{partition}:s3:::foo/home/&{{aws:username}}",
                    f"arn:{partition}:s3:::foo/home/&{{aws:username}}/*",
                ],
                "principals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}],
            },
            {
                "effect": "Deny",
                "notActions": ["s3:*"],
                "notResources": [f"arn:{partition}:s3:::*"],
            },
            {
                "effect": "Allow",
                "actions": ["kinesis:*"],
                "principals": [{"type": "AWS", "identifiers": ["*"]}],
            },
            {
                "effect": "Allow",
                "actions": ["firehose:*"],
                "principals": [{"type": "*", "identifiers": ["*"]}],
            },
        ],
    }


BASIC_EXPECTED = """{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:%(p)s:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:%(p)s:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:%(p)s:s3:::foo/home/${aws:username}/*",
        "arn:%(p)s:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:%(p)s:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}"""

BASIC_MINIFIED = (
    '{"Version":"2012-10-17","Id":"policy_id","Statement":[{"Sid":"1","Effect":"Allow",'
    '"Action":["s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":"arn:%(p)s:s3:::*"},'
    '{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:%(p)s:s3:::foo",'
    '"NotPrincipal":{"AWS":"arn:blahblah:example"},"Condition":{"StringLike":{"s3:prefix":'
    '["home/","","home/${aws:username}/"]}}},{"Effect":"Allow","Action":"s3:*","Resource":'
    '["arn:%(p)s:s3:::foo/home/${aws:username}/*","arn:%(p)s:s3:::foo/home/${aws:username}"],'
    '"Principal":{"AWS":"arn:blahblah:example"}},{"Effect":"Deny","NotAction":"s3:*",'
    '"NotResource":"arn:%(p)s:s3:::*"},{"Effect":"Allow","Action":"kinesis:*","Principal":'
    '{"AWS":"*"}},{"Effect":"Allow","Action":"firehose:*","Principal":"*"}]}'
)


@pytest.mark.parametrize("partition", ["aws", "aws-us-gov", "aws-cn"])
def test_basic_document_and_its_minified_form(partition: str) -> None:
    result = policy_document(_basic(partition))
    assert result["json"] == BASIC_EXPECTED % {"p": partition}
    assert result["minifiedJson"] == BASIC_MINIFIED % {"p": partition}
    assert result["version"] == "2012-10-17"
    # The data source's ID is the hash code of its JSON (create.StringHashcode).
    assert result["id"].isdigit()


def _multiple_principals(partition: str) -> dict[str, Any]:
    """testAccPolicyDocumentDataSourceConfig_statementPrincipalIdentifiersMultiplePrincipals."""
    root = f"arn:{partition}:iam::%s:root"
    return {
        "statements": [
            {
                "actions": ["*"],
                "resources": ["*"],
                "sid": "StatementPrincipalIdentifiersStringAndSlice",
                "principals": [
                    {"identifiers": [root % "111111111111", root % "222222222222"], "type": "AWS"},
                    {"identifiers": [root % "333333333333"], "type": "AWS"},
                    {"identifiers": [root % "444444444444"], "type": "AWS"},
                ],
            }
        ]
    }


def _principal_document(partition: str, accounts: list[str]) -> str:
    identifiers = ",\n".join(f'          "arn:{partition}:iam::{a}:root"' for a in accounts)
    return (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n'
        '      "Sid": "StatementPrincipalIdentifiersStringAndSlice",\n'
        '      "Effect": "Allow",\n      "Action": "*",\n      "Resource": "*",\n'
        '      "Principal": {\n        "AWS": [\n' + identifiers + "\n        ]\n      }\n"
        "    }\n  ]\n}"
    )


@pytest.mark.parametrize(
    ("partition", "accounts"),
    [
        # Blocks of one principal type are joined in Terraform's set order, which depends on
        # the identifiers' text: the provider's tests expect a different order per partition.
        ("aws", ["333333333333", "444444444444", "222222222222", "111111111111"]),
        ("aws-us-gov", ["333333333333", "222222222222", "111111111111", "444444444444"]),
    ],
)
def test_principal_blocks_of_one_type_are_joined_in_set_order(
    partition: str, accounts: list[str]
) -> None:
    assert _json(_multiple_principals(partition)) == _principal_document(partition, accounts)


def test_principal_identifiers_given_as_string_and_slice() -> None:
    root = "arn:aws:iam::%s:root"
    args = {
        "statements": [
            {
                "actions": ["*"],
                "resources": ["*"],
                "sid": "StatementPrincipalIdentifiersStringAndSlice",
                "principals": [
                    {"identifiers": [root % "111111111111"], "type": "AWS"},
                    {"identifiers": [root % "222222222222", root % "333333333333"], "type": "AWS"},
                ],
            }
        ]
    }
    assert _json(args) == _principal_document(
        "aws", ["111111111111", "333333333333", "222222222222"]
    )


def test_a_single_condition_value_is_a_string() -> None:
    args = {
        "statements": [
            {
                "effect": "Deny",
                "principals": [{"type": "AWS", "identifiers": ["*"]}],
                "actions": ["elasticfilesystem:*"],
                "resources": ["*"],
                "conditions": [
                    {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
                ],
            }
        ]
    }
    assert _json(args) == (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Deny",\n'
        '      "Action": "elasticfilesystem:*",\n      "Resource": "*",\n'
        '      "Principal": {\n        "AWS": "*"\n      },\n      "Condition": {\n'
        '        "Bool": {\n          "aws:SecureTransport": "false"\n        }\n      }\n'
        "    }\n  ]\n}"
    )


def test_conditions_on_one_key_are_joined_in_order() -> None:
    args = {
        "statements": [
            {
                "sid": "DuplicateConditionTest",
                "principals": [{"type": "Service", "identifiers": ["cloudtrail.amazonaws.com"]}],
                "actions": ["s3:PutObject"],
                "resources": ["*"],
                "conditions": [
                    {"test": "StringEquals", "variable": "s3:prefix", "values": ["one/", "two/"]},
                    {"test": "StringEquals", "variable": "s3:prefix", "values": ["three/"]},
                ],
            }
        ]
    }
    statement = json.loads(_json(args))["Statement"][0]
    assert statement["Condition"] == {"StringEquals": {"s3:prefix": ["one/", "two/", "three/"]}}


def _doc(*statements: dict[str, Any]) -> str:
    return _json({"statements": list(statements)})


def test_source_document_statements_come_first() -> None:
    """testAccPolicyDocumentDataSourceConfig_deprecated / testAccPolicyDocumentSourceExpectedJSON
    (its source, with two identifiers for the s3:* principal)."""
    source_args = _basic("aws")
    source_args["statements"][1]["conditions"][0]["values"] = ["home/", "home/&{aws:username}/"]
    source_args["statements"][2]["principals"][0]["identifiers"] = [
        "arn:blahblah:example",
        "arn:blahblahblah:example",
    ]
    result = json.loads(
        _json(
            {
                "sourcePolicyDocuments": [_json(source_args)],
                "statements": [{"sid": "SourceJSONTest1", "actions": ["*"], "resources": ["*"]}],
            }
        )
    )
    assert result["Id"] == "policy_id"
    assert result["Statement"][2]["Principal"] == {
        "AWS": ["arn:blahblahblah:example", "arn:blahblah:example"]
    }
    assert result["Statement"][-1] == {
        "Sid": "SourceJSONTest1",
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
    }
    assert len(result["Statement"]) == 7


def _policy_abc(a_sid: str, c: dict[str, Any]) -> list[str]:
    return [
        _doc(
            {"sid": "", "effect": "Allow", "actions": ["foo:ActionOne"]},
            {"sid": a_sid, "effect": "Allow", "actions": ["bar:ActionOne"]},
        ),
        _doc(
            {
                "sid": "validSid" if a_sid == "overrideSid" else "validSidTwo",
                "effect": "Deny",
                "actions": ["foo:ActionTwo"],
            }
        ),
        _doc(c),
    ]


def test_source_list() -> None:
    sources = _policy_abc(
        "validSidOne", {"sid": "", "effect": "Allow", "actions": ["bar:ActionTwo"]}
    )
    assert _json({"version": "2012-10-17", "sourcePolicyDocuments": sources}) == (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '    {\n      "Effect": "Allow",\n      "Action": "foo:ActionOne"\n    },\n'
        '    {\n      "Sid": "validSidOne",\n      "Effect": "Allow",\n'
        '      "Action": "bar:ActionOne"\n    },\n'
        '    {\n      "Sid": "validSidTwo",\n      "Effect": "Deny",\n'
        '      "Action": "foo:ActionTwo"\n    },\n'
        '    {\n      "Effect": "Allow",\n      "Action": "bar:ActionTwo"\n    }\n  ]\n}'
    )


def test_override_list_replaces_statements_in_place() -> None:
    overrides = _policy_abc(
        "overrideSid", {"sid": "overrideSid", "effect": "Deny", "actions": ["bar:ActionOne"]}
    )
    assert _json({"version": "2012-10-17", "overridePolicyDocuments": overrides}) == (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '    {\n      "Effect": "Allow",\n      "Action": "foo:ActionOne"\n    },\n'
        '    {\n      "Sid": "overrideSid",\n      "Effect": "Deny",\n'
        '      "Action": "bar:ActionOne"\n    },\n'
        '    {\n      "Sid": "validSid",\n      "Effect": "Deny",\n'
        '      "Action": "foo:ActionTwo"\n    }\n  ]\n}'
    )


def test_override_document_wins_over_the_statements() -> None:
    override = _doc({"sid": "SidToOverwrite", "actions": ["s3:*"], "resources": ["*"]})
    args = {
        "overridePolicyDocuments": [override],
        "statements": [
            {"actions": ["ec2:*"], "resources": ["*"]},
            {
                "sid": "SidToOverwrite",
                "actions": ["s3:*"],
                "resources": ["arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"],
            },
        ],
    }
    assert _json(args) == (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '    {\n      "Effect": "Allow",\n      "Action": "ec2:*",\n      "Resource": "*"\n'
        '    },\n    {\n      "Sid": "SidToOverwrite",\n      "Effect": "Allow",\n'
        '      "Action": "s3:*",\n      "Resource": "*"\n    }\n  ]\n}'
    )


@pytest.mark.parametrize(
    ("source_sid", "expected_actions"),
    [
        # noStatementMerge: a source without a Sid and an override with one: both kept.
        ("", ["ec2:DescribeAccountAttributes", "s3:GetObject"]),
        # noStatementOverride: the same Sid: the override replaces the source statement.
        ("OverridePlaceholder", ["s3:GetObject"]),
    ],
)
def test_source_and_override_without_statements(
    source_sid: str, expected_actions: list[str]
) -> None:
    source = _doc(
        {"sid": source_sid, "actions": ["ec2:DescribeAccountAttributes"], "resources": ["*"]}
    )
    override = _doc({"sid": "OverridePlaceholder", "actions": ["s3:GetObject"], "resources": ["*"]})
    result = json.loads(
        _json({"sourcePolicyDocuments": [source], "overridePolicyDocuments": [override]})
    )
    assert [statement["Action"] for statement in result["Statement"]] == expected_actions


def test_blank_sids_may_repeat_and_a_blank_source_is_skipped() -> None:
    args = {
        "sourcePolicyDocuments": [""],
        "statements": [
            {"sid": "", "actions": ["ec2:DescribeAccountAttributes"], "resources": ["*"]},
            {"sid": "", "actions": ["s3:GetObject"], "resources": ["*"]},
        ],
    }
    assert [s.get("Sid") for s in json.loads(_json(args))["Statement"]] == [None, None]
    assert _json({"sourcePolicyDocuments": [""]}) == '{\n  "Version": "2012-10-17"\n}'


def test_version_2008_10_17() -> None:
    args = {"version": "2008-10-17", "statements": [{"actions": ["ec2:*"], "resources": ["*"]}]}
    assert _json(args) == (
        '{\n  "Version": "2008-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
        '      "Action": "ec2:*",\n      "Resource": "*"\n    }\n  ]\n}'
    )


@pytest.mark.parametrize(
    "statement",
    [
        {"actions": ["*"], "resources": ["arn:aws:s3:::foo/home/&{aws:username}"]},
        {"actions": ["*"], "notResources": ["arn:aws:s3:::foo/home/&{aws:username}"]},
        {"actions": ["*"], "principals": [{"type": "AWS", "identifiers": ["&{aws:username}"]}]},
        {
            "actions": ["*"],
            "conditions": [
                {"test": "StringLike", "variable": "s3:prefix", "values": ["home/&{aws:username}/"]}
            ],
        },
    ],
)
def test_policy_variables_are_refused_in_version_2008_10_17(statement: dict[str, Any]) -> None:
    with pytest.raises(PolicyDocumentError, match=r"found &\{ sequence in \(.+\), which is not"):
        policy_document({"version": "2008-10-17", "statements": [statement]})


def test_duplicate_sids_are_refused() -> None:
    with pytest.raises(PolicyDocumentError, match=r"duplicate Sid \(1\)"):
        policy_document({"statements": [{"sid": "1", "actions": ["a:B"]}, {"sid": "1"}]})
    conflicting = [_doc({"sid": "conflictSid", "actions": ["bar:ActionOne"]})] * 2
    with pytest.raises(PolicyDocumentError, match=r"duplicate Sid \(conflictSid\) in source"):
        policy_document({"sourcePolicyDocuments": conflicting})


def test_bool_conditions_of_source_documents_become_strings() -> None:
    """testAccPolicyDocumentConfig_conditionWithBoolValue."""
    source = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "RestrictAccessToSpecialTag",
                    "Effect": "Deny",
                    "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
                    "Resource": "arn:aws:ec2:*:*:vpc/*",
                    "Condition": {
                        "Null": {"aws:ResourceTag/SpecialTag": False},
                        "StringLike": {
                            "aws:ResourceAccount": ["123456"],
                            "aws:PrincipalArn": "arn:aws:iam::*:role/AWSAFTExecution",
                        },
                    },
                }
            ],
        }
    )
    statement = json.loads(_json({"sourcePolicyDocuments": [source]}))["Statement"][0]
    assert statement["Condition"] == {
        "Null": {"aws:ResourceTag/SpecialTag": "false"},
        "StringLike": {
            "aws:PrincipalArn": "arn:aws:iam::*:role/AWSAFTExecution",
            "aws:ResourceAccount": "123456",
        },
    }


def test_invalid_json_and_bad_arguments_are_refused() -> None:
    with pytest.raises(PolicyDocumentError, match="merging source document 0"):
        policy_document({"sourcePolicyDocuments": ["{"]})
    with pytest.raises(PolicyDocumentError, match=r'one of \["Allow" "Deny"\], got Maybe'):
        policy_document({"statements": [{"effect": "Maybe"}]})
    with pytest.raises(PolicyDocumentError, match="must only include alphanumeric"):
        policy_document({"statements": [{"sid": "no spaces"}]})
    with pytest.raises(PolicyDocumentError, match="got 2020-01-01"):
        policy_document({"version": "2020-01-01"})


def test_html_characters_are_escaped_as_go_escapes_them() -> None:
    document = _doc(
        {
            "actions": ["s3:GetObject"],
            "conditions": [{"test": "StringLike", "variable": "s3:prefix", "values": ["<a&b>"]}],
        }
    )
    assert '"s3:prefix": "\\u003ca\\u0026b\\u003e"' in document


PROGRAM = """
import pulumi
import pulumi_aws as aws

assume = aws.iam.get_policy_document(statements=[{
    "actions": ["sts:AssumeRole"],
    "principals": [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}],
}])
role = aws.iam.Role("task", assume_role_policy=assume.json)
bucket = aws.s3.Bucket("data")
read = aws.iam.get_policy_document_output(statements=[{
    "actions": ["s3:GetObject", "s3:ListBucket"],
    "resources": [bucket.arn, bucket.arn.apply(lambda arn: f"{arn}/*")],
}])
aws.iam.RolePolicy("read", role=role.id, policy=read.minified_json)
"""


def test_a_program_gets_the_document_the_provider_computes(tmp_path: Path) -> None:
    """The program that crashed before ("Missing required property 'assume_role_policy'")."""
    program = write_program(tmp_path / "roles", PROGRAM)
    run = run_preflight("--program", program, "--policy-pack", "none", "--json")
    assert run.returncode == 0, run.stderr
    resources = {r["name"]: r for r in run.document["resources"]}
    assert resources["task"]["inputs"]["assumeRolePolicy"] == (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
        '      "Action": "sts:AssumeRole",\n      "Principal": {\n'
        '        "Service": "ecs-tasks.amazonaws.com"\n      }\n    }\n  ]\n}'
    )
    arn = resources["data"]["outputs"]["arn"]
    assert resources["read"]["inputs"]["policy"] == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket",'
        f'"s3:GetObject"],"Resource":["{arn}/*","{arn}"]}}]}}'
    )
    assert not [w for w in run.document["warnings"] if "getPolicyDocument" in w["message"]]
