"""Project and stack config, read as the Pulumi CLI reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.project import (
    SECURE_PLACEHOLDER_PREFIX,
    ProjectError,
    load_project,
    load_stack_config,
)


def _project(tmp_path: Path, pulumi_yaml: str, stack_yaml: str | None = None) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(pulumi_yaml, encoding="utf-8")
    if stack_yaml is not None:
        (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml, encoding="utf-8")
    return tmp_path


def _config(tmp_path: Path, pulumi_yaml: str, stack_yaml: str | None) -> dict[str, str]:
    project = load_project(_project(tmp_path, pulumi_yaml, stack_yaml))
    return load_stack_config(project, "dev").values


def test_project_name_runtime_and_virtualenv(tmp_path: Path) -> None:
    venv_python = tmp_path / "env" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("")
    project = load_project(
        _project(
            tmp_path,
            "name: shop\nruntime:\n  name: python\n  options:\n    virtualenv: env\n",
        )
    )
    assert (project.name, project.runtime, project.virtualenv) == ("shop", "python", "env")
    assert project.python() == venv_python
    assert project.program_path() == tmp_path.resolve()


def test_a_virtualenv_that_does_not_exist_falls_back_to_the_current_interpreter(
    tmp_path: Path,
) -> None:
    project = load_project(
        _project(tmp_path, "name: shop\nruntime:\n  name: python\n  options:\n    virtualenv: v\n")
    )
    assert project.python() is None


def test_keys_without_a_namespace_get_the_project_namespace(tmp_path: Path) -> None:
    values = _config(
        tmp_path,
        "name: shop\nruntime: python\n",
        "config:\n  shop:size: 3\n  aws:region: eu-west-1\n  aws:config:profile: ops\n",
    )
    assert values == {"shop:size": "3", "aws:region": "eu-west-1", "aws:profile": "ops"}


def test_structured_values_become_compact_json_and_scalars_text(tmp_path: Path) -> None:
    values = _config(
        tmp_path,
        "name: shop\nruntime: python\n",
        "config:\n"
        "  shop:flag: true\n"
        "  shop:ratio: 1.5\n"
        "  shop:network:\n    vpcId: vpc-1\n    subnetIds: [subnet-a, subnet-b]\n"
        "  shop:list: [1, two]\n",
    )
    assert values["shop:flag"] == "true"
    assert values["shop:ratio"] == "1.5"
    assert json.loads(values["shop:network"]) == {
        "vpcId": "vpc-1",
        "subnetIds": ["subnet-a", "subnet-b"],
    }
    assert values["shop:network"] == '{"subnetIds":["subnet-a","subnet-b"],"vpcId":"vpc-1"}'
    assert json.loads(values["shop:list"]) == [1, "two"]


def test_secure_values_are_secret_placeholders(tmp_path: Path) -> None:
    project = load_project(
        _project(
            tmp_path,
            "name: shop\nruntime: python\n",
            "config:\n  shop:token:\n    secure: v1:abc\n"
            "  shop:db:\n    user: app\n    password:\n      secure: v1:def\n  shop:plain: x\n",
        )
    )
    config = load_stack_config(project, "dev")
    assert config.secret_keys == ("shop:db", "shop:token")
    assert config.values["shop:token"].startswith(SECURE_PLACEHOLDER_PREFIX)
    db = json.loads(config.values["shop:db"])
    assert db["user"] == "app" and db["password"].startswith(SECURE_PLACEHOLDER_PREFIX)
    # Deterministic: the same ciphertext gives the same placeholder.
    assert config.values == load_stack_config(project, "dev").values


def test_project_defaults_fill_unset_keys_and_stack_values_win(tmp_path: Path) -> None:
    values = _config(
        tmp_path,
        "name: shop\nruntime: python\nconfig:\n"
        "  size:\n    type: integer\n    default: 2\n"
        "  mode:\n    type: string\n    default: fast\n"
        "  tags:\n    type: object\n    default: {team: web}\n"
        "  aws:region: us-west-2\n",
        "config:\n  shop:size: 5\n",
    )
    assert values == {
        "aws:region": "us-west-2",
        "shop:mode": "fast",
        "shop:size": "5",
        "shop:tags": '{"team":"web"}',
    }


def test_a_value_of_the_wrong_type_names_the_key_and_the_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as error:
        _config(
            tmp_path,
            "name: shop\nruntime: python\nconfig:\n  size:\n    type: integer\n",
            "config:\n  shop:size: big\n",
        )
    message = str(error.value)
    assert "Pulumi.dev.yaml" in message
    assert "'shop:size' must be of type 'integer'" in message


def test_integers_given_as_text_satisfy_an_integer_type(tmp_path: Path) -> None:
    values = _config(
        tmp_path,
        "name: shop\nruntime: python\nconfig:\n  size:\n    type: integer\n",
        'config:\n  shop:size: "8080"\n',
    )
    assert values["shop:size"] == "8080"


def test_a_required_key_without_a_stack_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as error:
        _config(
            tmp_path, "name: shop\nruntime: python\nconfig:\n  size:\n    type: integer\n", None
        )
    assert "Pulumi.dev.yaml (not found)" in str(error.value)
    assert "'shop:size'" in str(error.value)


def test_no_stack_file_is_fine_when_nothing_is_required(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path, "name: shop\nruntime: python\n"))
    config = load_stack_config(project, "dev")
    assert (config.values, config.stack_file_found) == ({}, False)


def test_bad_yaml_names_the_file_and_the_line(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as error:
        _config(
            tmp_path,
            "name: shop\nruntime: python\n",
            "config:\n  shop:a: 1\n  shop:b: [unclosed\n  shop:c: 2\n",
        )
    assert f"{tmp_path / 'Pulumi.dev.yaml'}:" in str(error.value)
    line = int(str(error.value).split("Pulumi.dev.yaml:")[1].split(":")[0])
    assert 3 <= line <= 5


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"Pulumi\.dev\.yaml:3: .*duplicate key"):
        _config(tmp_path, "name: shop\nruntime: python\n", "config:\n  shop:a: 1\n  shop:a: 2\n")


@pytest.mark.parametrize(
    ("pulumi_yaml", "message"),
    [
        ("runtime: python\n", "'name' is required"),
        ("name: shop\nruntime: nodejs\n", "preflight runs Python programs"),
        ("- a list\n", "expected a mapping"),
        (
            "name: shop\nruntime: python\nconfig:\n  aws:region:\n    type: string\n",
            "should not define a type",
        ),
        (
            "name: shop\nruntime: python\nconfig:\n  size:\n    type: number\n",
            "type must be one of",
        ),
    ],
)
def test_bad_project_files_name_the_problem(tmp_path: Path, pulumi_yaml: str, message: str) -> None:
    with pytest.raises(ProjectError, match=message) as error:
        load_project(_project(tmp_path, pulumi_yaml))
    assert "Pulumi.yaml" in str(error.value)


def test_a_missing_project_file_names_the_directory(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"no Pulumi\.yaml"):
        load_project(tmp_path)


def test_a_secret_declared_key_must_be_encrypted(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="must be encrypted"):
        _config(
            tmp_path,
            "name: shop\nruntime: python\nconfig:\n  token:\n    type: string\n    secret: true\n",
            "config:\n  shop:token: plain\n",
        )


def test_passphrase_stacks_need_passphrase_ciphertexts(tmp_path: Path) -> None:
    pulumi_yaml = "name: shop\nruntime: python\n"
    good = (
        "encryptionsalt: v1:c2FsdA==:v1:bm9uY2U=:Y3Q=\n"
        "config:\n  shop:token:\n    secure: v1:bm9uY2Vub25jZQ==:Y2lwaGVydGV4dA==\n"
    )
    assert _config(tmp_path, pulumi_yaml, good)["shop:token"].startswith(SECURE_PLACEHOLDER_PREFIX)
    bad = (
        "encryptionsalt: v1:c2FsdA==:v1:bm9uY2U=:Y3Q=\n"
        "config:\n  shop:plain: 1\n  shop:token:\n    secure: not-a-ciphertext\n"
    )
    with pytest.raises(ProjectError) as error:
        _config(tmp_path, pulumi_yaml, bad)
    assert str(error.value).startswith(f"{tmp_path / 'Pulumi.dev.yaml'}:5: config key 'shop:token'")
    assert "pulumi config set --secret shop:token" in str(error.value)


def test_an_empty_secure_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"Pulumi\.dev\.yaml:3: config key 'shop:token'"):
        _config(
            tmp_path, "name: shop\nruntime: python\n", "config:\n  shop:token:\n    secure: ''\n"
        )
