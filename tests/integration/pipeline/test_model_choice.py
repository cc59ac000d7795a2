"""Which registry version a job scores with: chosen at creation, by POST /jobs or the drop path."""

from __future__ import annotations

import process_handler
import pytest
import upload_handler
import upload_limits

from batchscore_core import adapters
from batchscore_core.models import Job
from batchscore_core.settings import get_settings
from batchscore_core.store import JobStore
from tests.integration.moto_stack import Stack
from tests.integration.pipeline.samples import valid_csv

DIABETES_CSV = (
    "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6\n"
    "50,1,25,90,180,100,50,4,4.5,90\n"
    "61,2,31,101,190,110,45,5,5.1,95\n"
)


def only_job(store: JobStore, stack: Stack) -> Job:
    (item,) = stack.dynamodb.Table(stack.table_name).scan()["Items"]
    return store.get(str(item["job_id"]))


def ingest_and_score(stack: Stack) -> None:
    stack.drain(stack.ingest_queue, upload_handler.lambda_handler)
    stack.drain(stack.jobs_queue, process_handler.lambda_handler)


def test_a_plain_drop_gets_the_default_models_champion(stack: Stack, store: JobStore) -> None:
    # Given a CSV dropped at the top of a tenant's folder
    stack.put_object("dropbox/acme/scores.csv", valid_csv())

    # When it is ingested and scored
    ingest_and_score(stack)

    # Then the job recorded the default model and its champion
    job = only_job(store, stack)
    champion = adapters.model_registry().get_model("breast-cancer").champion
    assert (job.status.value, job.model_name, job.model_version) == (
        "SUCCEEDED",
        "breast-cancer",
        champion,
    )


def test_a_drop_under_an_at_folder_chooses_that_model(stack: Stack, store: JobStore) -> None:
    # Given a CSV dropped under @diabetes/
    stack.put_object("dropbox/acme/@diabetes/patients.csv", DIABETES_CSV.encode())

    # When it is ingested and scored
    ingest_and_score(stack)

    # Then the regressor scored it and the result keeps the path
    job = only_job(store, stack)
    assert (job.status.value, job.model_name, job.rows_done) == ("SUCCEEDED", "diabetes", 2)
    assert job.result_key == "outbox/acme/@diabetes/patients.xlsx"


def test_a_tenant_default_model_applies_to_its_plain_drops(
    stack: Stack, store: JobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the tenant acme's default model is the regressor
    monkeypatch.setenv("DROPBOX_TENANT_MODELS", "acme=diabetes,globex=breast-cancer")
    get_settings.cache_clear()
    upload_limits.ingest_limits.cache_clear()
    stack.put_object("dropbox/acme/patients.csv", DIABETES_CSV.encode())

    # When it is ingested and scored
    ingest_and_score(stack)

    # Then the regressor scored it
    job = only_job(store, stack)
    assert (job.status.value, job.model_name) == ("SUCCEEDED", "diabetes")


def test_a_drop_naming_an_unknown_model_is_rejected_listing_the_models(
    stack: Stack, store: JobStore
) -> None:
    # Given a CSV dropped under a model that does not exist
    stack.put_object("dropbox/acme/@tumour/scores.csv", valid_csv())

    # When it is ingested
    stack.drain(stack.ingest_queue, upload_handler.lambda_handler)

    # Then it is rejected, the message naming the models that exist
    job = only_job(store, stack)
    assert job.status.value == "REJECTED"
    assert job.error is not None
    assert job.error.code == "model_not_found"
    assert "breast-cancer, diabetes" in job.error.message
