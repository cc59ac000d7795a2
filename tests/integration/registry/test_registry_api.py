"""The registry API under moto: read models, promote, roll back, refuse what is not allowed."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from batchscore_core import adapters
from batchscore_core.registry import ModelRegistry
from infra.local.seed_models import Registry
from tests.integration.api.api_calls import COLUMN_KEYS, Answer
from tests.integration.moto_stack import Stack
from tests.integration.registry.registry_calls import FOREST, LOGREG, call


@pytest.fixture(autouse=True)
def seeded(registry: Registry) -> Registry:
    return registry


def admin_moves(alias: str, version: str, reason: str) -> Answer:
    """An admin's PUT /models/breast-cancer/aliases/{alias}."""
    return call(
        "PUT",
        f"/models/breast-cancer/aliases/{alias}",
        admin=True,
        body={"version": version, "reason": reason},
    )


def test_models_are_listed_with_their_aliases_and_version_counts() -> None:
    # When anyone signed in lists the models
    answer = call("GET", "/models")

    # Then both seed models are there, the default marked
    assert answer.status == 200
    items = {item["name"]: item for item in answer.body["items"]}
    assert set(items) == {"breast-cancer", "diabetes"}
    assert items["breast-cancer"]["aliases"] == {"champion": LOGREG, "challenger": FOREST}
    assert (items["breast-cancer"]["versions"], items["breast-cancer"]["default"]) == (2, True)
    assert (items["diabetes"]["task"], items["diabetes"]["versions"]) == ("regression", 1)


def test_a_model_shows_versions_metrics_and_the_alias_history() -> None:
    # When a model is read
    answer = call("GET", "/models/breast-cancer")

    # Then its versions carry their metrics and the history says how the aliases got there
    body = answer.body
    assert answer.status == 200
    assert [v["version"] for v in body["versions"]] == [LOGREG, FOREST]
    assert all(
        v["status"] == "active" and v["primary_metric"] == "roc_auc" for v in body["versions"]
    )
    assert body["versions"][0]["metrics"]["roc_auc"] > 0.95
    assert [(h["alias"], h["from_version"], h["to_version"]) for h in body["history"]] == [
        ("champion", None, LOGREG),
        ("challenger", None, FOREST),
    ]
    assert body["training"]["primary_metric"] == "roc_auc"


def test_a_version_shows_its_metadata_and_input_schema() -> None:
    # When a version is read
    answer = call(
        "GET",
        f"/models/diabetes/versions/{adapters.model_registry().get_model('diabetes').champion}",
    )

    # Then its columns are the GET /model shape and the regressor has one output
    assert answer.status == 200
    assert [c["name"] for c in answer.body["columns"]][:3] == ["age", "sex", "bmi"]
    assert set(answer.body["columns"][0]) == COLUMN_KEYS
    assert [o["name"] for o in answer.body["outputs"]] == ["prediction"]
    assert answer.body["library_versions"]["scikit-learn"]


def test_an_unknown_model_is_a_404_naming_the_models_that_exist() -> None:
    # When a model that does not exist is read
    answer = call("GET", "/models/nope")

    # Then the answer lists the names
    assert answer.status == 404
    assert answer.body["error"]["code"] == "model_not_found"
    assert answer.body["error"]["details"] == [
        {"line": None, "column": "model", "message": "breast-cancer"},
        {"line": None, "column": "model", "message": "diabetes"},
    ]


def test_an_admin_promotes_the_challenger_and_the_move_is_recorded(stack: Stack) -> None:
    # When an admin moves the champion to the forest
    answer = admin_moves("champion", FOREST, "better recall")

    # Then the model answers with the new champion and one more history line, by whom and why
    assert answer.status == 200, answer.body
    assert answer.body["aliases"]["champion"] == FOREST
    last = answer.body["history"][-1]
    assert (last["alias"], last["from_version"], last["to_version"]) == ("champion", LOGREG, FOREST)
    assert (last["by"], last["reason"]) == ("ana@example.com", "better recall")


def test_rollback_returns_the_champion_and_keeps_the_whole_history() -> None:
    # Given a promotion
    admin_moves("champion", FOREST, "try")

    # When the champion goes back to the version it replaced (read from the history)
    history = call("GET", "/models/breast-cancer").body["history"]
    previous = [h for h in history if h["alias"] == "champion"][-1]["from_version"]
    answer = admin_moves("champion", previous, "rollback: worse on Monday's data")

    # Then the champion is the first version again, and no history line was rewritten
    assert answer.status == 200
    assert answer.body["aliases"]["champion"] == LOGREG
    assert [(h["from_version"], h["to_version"]) for h in answer.body["history"]] == [
        (None, LOGREG),
        (None, FOREST),
        (LOGREG, FOREST),
        (FOREST, LOGREG),
    ]


def test_a_non_admin_may_read_but_not_move_an_alias() -> None:
    # When a signed-in user outside the admins group tries a promotion
    answer = call(
        "PUT", "/models/breast-cancer/aliases/champion", body={"version": FOREST, "reason": "me"}
    )

    # Then it is refused and nothing moved
    assert answer.status == 403
    assert answer.body["error"]["code"] == "forbidden"
    assert adapters.model_registry().get_model("breast-cancer").champion == LOGREG


def test_a_program_needs_the_models_admin_scope() -> None:
    # Given a partner token without, and one with, models/admin
    body = {"version": LOGREG, "reason": "pipeline"}
    path = "/models/breast-cancer/aliases/challenger"

    # When each tries to move the challenger
    without = call("PUT", path, caller="machine", scopes=["jobs/read"], body=body)
    with_scope = call("PUT", path, caller="machine", scopes=["models/admin"], body=body)

    # Then only the admin scope may
    assert (without.status, with_scope.status) == (403, 200)


def test_a_version_that_is_not_active_cannot_be_promoted(stack: Stack) -> None:
    # Given the forest retired
    table = stack.dynamodb.Table(adapters.model_registry().table_name)
    table.update_item(
        Key={"name": "breast-cancer", "sk": f"VERSION#{FOREST}"},
        UpdateExpression="SET #s = :retired",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":retired": "retired"},
    )

    # When an admin tries to make it champion
    answer = admin_moves("champion", FOREST, "x")

    # Then it is refused with the version's status
    assert answer.status == 409
    assert answer.body["error"]["code"] == "version_not_active"
    assert answer.body["error"]["details"] == [
        {"line": None, "column": "status", "message": "retired"}
    ]


def test_an_unknown_alias_or_version_is_a_404() -> None:
    # When an admin names an alias or a version that does not exist
    alias = admin_moves("staging", FOREST, "x")
    version = admin_moves("champion", "v9", "x")

    # Then both are 404s, the second listing the versions
    assert (alias.status, alias.body["error"]["code"]) == (404, "unknown_alias")
    assert (version.status, version.body["error"]["code"]) == (404, "version_not_found")
    assert {"line": None, "column": "version", "message": FOREST} in version.body["error"][
        "details"
    ]


def test_a_move_from_a_stale_view_is_a_409() -> None:
    # Given a caller that saw the challenger as champion (it is not)
    body = {"version": FOREST, "reason": "x", "expected_version": FOREST}

    # When it moves the champion
    answer = call("PUT", "/models/breast-cancer/aliases/champion", admin=True, body=body)

    # Then it is told to read again
    assert (answer.status, answer.body["error"]["code"]) == (409, "alias_conflict")


def test_two_moves_from_one_view_give_one_200_and_one_409_in_either_order() -> None:
    # Given two admins who both saw the logistic model as champion
    seen = {"reason": "race", "expected_version": LOGREG}
    champion = "/models/breast-cancer/aliases/champion"

    # When the one "moving" it where it already is lands first, then the other
    again = call("PUT", champion, admin=True, body={**seen, "version": LOGREG})
    forest = call("PUT", champion, admin=True, body={**seen, "version": FOREST})

    # Then the move that changes nothing is refused and the other lands, the history unchanged
    # by the refusal (a no-op move left the alias where the other caller saw it)
    assert (again.status, again.body["error"]["code"]) == (409, "alias_conflict")
    assert forest.status == 200
    history = call("GET", "/models/breast-cancer").body["history"]
    assert [(h["from_version"], h["to_version"]) for h in history[2:]] == [(LOGREG, FOREST)]


def test_of_two_concurrent_moves_one_lands_and_the_other_is_a_conflict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given two admins who both read the model before either writes
    registry = adapters.model_registry()
    both_read = threading.Barrier(2, timeout=10)
    real_get = ModelRegistry.get_model

    def get_then_wait(self: ModelRegistry, name: str) -> Any:
        model = real_get(self, name)
        if threading.current_thread().name.startswith("mover"):
            both_read.wait()
        return model

    monkeypatch.setattr(ModelRegistry, "get_model", get_then_wait)
    outcomes: list[str] = []

    def move(version: str) -> None:
        try:
            registry.move_alias("breast-cancer", "champion", version, by="a", reason="race")
            outcomes.append("moved")
        except Exception as exc:
            outcomes.append(type(exc).__name__)

    # When both move the champion to the forest at once (both pass every check before the
    # write, so only the write's condition on the revision can tell them apart)
    threads = [
        threading.Thread(target=move, args=(version,), name=f"mover-{i}")
        for i, version in enumerate([FOREST, FOREST])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then exactly one landed, and the history has exactly one more line
    monkeypatch.setattr(ModelRegistry, "get_model", real_get)
    assert sorted(outcomes) == ["AliasConflict", "moved"]
    assert len(registry.history("breast-cancer")) == 3


def test_an_alias_move_is_announced_on_eventbridge(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the events the registry sends
    sent: list[dict[str, Any]] = []
    events = adapters.model_events()
    monkeypatch.setattr(
        events,
        "_client",
        type("Capture", (), {"put_events": lambda self, Entries: sent.extend(Entries)})(),
    )

    # When an admin promotes the challenger
    admin_moves("champion", FOREST, "better")

    # Then one `Model Alias Changed` event says what moved, by whom and why
    assert [entry["DetailType"] for entry in sent] == ["Model Alias Changed"]
    detail = json.loads(sent[0]["Detail"])
    assert {
        k: detail[k] for k in ("name", "alias", "from_version", "to_version", "by", "reason")
    } == {
        "name": "breast-cancer",
        "alias": "champion",
        "from_version": LOGREG,
        "to_version": FOREST,
        "by": "ana@example.com",
        "reason": "better",
    }
