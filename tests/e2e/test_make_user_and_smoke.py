"""The first hour's targets on the local stack: `make user` (ADMIN=1 too) and `make smoke`.

On AWS the same code runs with STAGE=dev|prod (infra/build/stage.py reads samconfig.toml and the
stack's Outputs instead of `.local/ready`).
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.build import smoke, user

pytestmark = pytest.mark.e2e


def groups_of(local_stack: Any, username: str) -> list[str]:
    answer = local_stack.boto3_client("cognito-idp").admin_list_groups_for_user(
        UserPoolId=local_stack.outputs["UserPoolId"], Username=username
    )
    return [group["GroupName"] for group in answer["Groups"]]


def test_make_user_admin_creates_a_user_who_can_sign_in_and_is_an_admin(
    local_stack: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the running local stack
    email = "first-admin@example.com"

    # When `make user EMAIL=... ADMIN=1 STAGE=local` runs
    code = user.main(
        ["--stage", "local", "--local-dir", str(local_stack.state_dir), "--email", email, "--admin"]
    )

    # Then the printed password signs in, and the user is in `admins`
    assert code == 0
    printed = capsys.readouterr().out
    password = next(
        line.split(": ", 1)[1] for line in printed.splitlines() if line.startswith("password: ")
    )
    assert local_stack.tokens(email, password)["IdToken"]
    assert groups_of(local_stack, email) == ["admins"]


def test_make_user_twice_keeps_the_user(local_stack: Any) -> None:
    # Given a user made once
    args = [
        "--stage",
        "local",
        "--local-dir",
        str(local_stack.state_dir),
        "--email",
        "twice@example.com",
    ]
    assert user.main([*args, "--password", "Twice-User-Pass-1"]) == 0

    # When made again
    code = user.main([*args, "--password", "Twice-User-Pass-2"])

    # Then it still exists, with the new password, in no group
    assert code == 0
    assert local_stack.tokens("twice@example.com", "Twice-User-Pass-2")["IdToken"]
    assert groups_of(local_stack, "twice@example.com") == []


def test_make_smoke_runs_one_job_end_to_end(
    local_stack: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # When `make smoke STAGE=local` runs
    code = smoke.main(["--stage", "local", "--local-dir", str(local_stack.state_dir)])

    # Then it passed every step, and left no user behind
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "job SUCCEEDED" in printed
    assert "bytes of xlsx" in printed
    users = local_stack.boto3_client("cognito-idp").list_users(
        UserPoolId=local_stack.outputs["UserPoolId"]
    )["Users"]
    assert not [u for u in users if u["Username"].startswith("smoke-")]
