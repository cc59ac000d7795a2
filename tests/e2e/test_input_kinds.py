"""Excel and gzip input, and headers as people write them, through the local runtime: the web
page's and the API's presigned POST, and the drop folder (issue 16 items 1-2)."""

from __future__ import annotations

import gzip
import io
import json
import uuid
import zipfile
from typing import Any

import openpyxl
import pytest

from tests.e2e.e2e_support import (
    ApiUser,
    feature_csv,
    feature_frame,
    new_user,
    read_sheets,
    upload_presigned,
    wait_for_object,
    wait_until_final,
)

pytestmark = pytest.mark.e2e

MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@pytest.fixture(scope="module")
def user(local_stack) -> ApiUser:
    return new_user(local_stack)


def written_headers() -> list[str]:
    """The schema's names as a person types them: one in capitals, one with a non-breaking
    space and a trailing space, one under another name entirely (mapped)."""
    names = list(feature_frame().columns)
    names[0] = names[0].upper()
    names[1] = names[1].replace(" ", "\u00a0") + " "
    names[2] = "Perimeter (avg)"
    return names


def workbook(rows: int, *, headers: list[str] | None = None, sheets: tuple[str, ...] = ()) -> bytes:
    """An .xlsx whose sheet `Data` holds `rows` feature rows, after decoy sheets `sheets`."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    for index, name in enumerate(sheets):
        decoy = first if index == 0 else book.create_sheet()
        decoy.title = name
        decoy.append(["not", "features"])
    data = book.create_sheet("Data") if sheets else first
    data.title = "Data"
    data.append(headers or list(feature_frame().columns))
    for record in feature_frame().head(rows).itertuples(index=False):
        data.append([float(value) for value in record])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def submit(
    user: ApiUser, content: bytes, filename: str, *, web: bool = False, **options: Any
) -> dict[str, Any]:
    """POST /jobs (as the web page when `web`: it sends Origin) and the presigned POST."""
    created = user.create_job(filename, web=web, **options)
    upload_presigned(created["upload"], content, filename)
    return created


def summary_of(sheets: dict[str, list[tuple[Any, ...]]]) -> dict[Any, Any]:
    return {row[0]: row[1] for row in sheets["summary"] if len(row) >= 2}


def test_an_xlsx_sheet_with_headers_as_typed_is_scored_through_the_api(local_stack, user):
    # Given a workbook whose data is on its second sheet, headers written loosely, one mapped
    content = workbook(9, headers=written_headers(), sheets=("Notes",))
    mapping = {"Perimeter (avg)": feature_frame().columns[2]}

    # When it is submitted as an API job naming the sheet and the mapping
    created = submit(user, content, "March scores.xlsx", sheet="Data", column_map=mapping)
    job = wait_until_final(user, created["job_id"], local_stack)

    # Then it is scored, its rows and header kept as written, and the matches listed
    assert job["status"] == "SUCCEEDED", job
    assert (job["source"], job["sheet"], job["column_map"]) == ("api", "Data", mapping)
    assert "input.xlsx" in created["upload"]["fields"]["key"]
    sheets = read_sheets(user.result(job["job_id"]))
    header, *body = sheets["predictions"]
    assert list(header[:3]) == [name.strip() for name in written_headers()[:3]]
    assert len(body) == 9
    assert all(row[header.index("prediction")] is not None for row in body)
    assert body[0][3] == pytest.approx(float(feature_frame().iloc[0, 3]))
    summary = summary_of(sheets)
    assert (
        summary[f"column {header[0]!r}"] == f"read as {feature_frame().columns[0]!r} (case/spaces)"
    )
    assert summary["column 'Perimeter (avg)'"].endswith("(column_map)")


def test_a_csv_gz_is_scored_from_the_web_page(local_stack, user):
    # Given a gzipped CSV, posted as the web page posts it
    created = submit(user, gzip.compress(feature_csv(25)), "daily.csv.gz", web=True)

    # When it is scored
    job = wait_until_final(user, created["job_id"], local_stack)

    # Then every row is there, and the form bound the gzip content type
    assert job["status"] == "SUCCEEDED", job
    assert job["source"] == "web"
    assert created["upload"]["fields"]["Content-Type"] == "application/gzip"
    assert job["rows_done"] == 25


def test_two_columns_matching_one_name_are_rejected_naming_both(local_stack, user):
    # Given a CSV with a column twice, once as written in the schema and once in capitals
    name = feature_frame().columns[0]
    text = feature_csv(3).decode().split("\n")
    text[0] = text[0].replace(feature_frame().columns[4], name.upper(), 1)

    # When it is submitted
    created = submit(user, "\n".join(text).encode(), "twice.csv")
    job = wait_until_final(user, created["job_id"], local_stack)

    # Then it is rejected, both columns named
    assert job["status"] == "REJECTED", job
    assert job["error"]["code"] == "ambiguous_columns"
    assert repr(name) in job["error"]["message"]
    assert repr(name.upper()) in job["error"]["message"]


def test_a_missing_sheet_is_rejected_listing_the_sheets(local_stack, user):
    # Given a workbook without the named sheet
    created = submit(user, workbook(2, sheets=("Notes",)), "book.xlsx", sheet="Scores")

    # When it is processed / Then the rejection lists the sheets there are
    job = wait_until_final(user, created["job_id"], local_stack)
    assert job["status"] == "REJECTED", job
    assert job["error"]["code"] == "sheet_not_found"
    assert "'Notes', 'Data'" in job["error"]["message"]


def macro_workbook() -> bytes:
    """A real workbook with its content type turned into an .xlsm's."""
    source = zipfile.ZipFile(io.BytesIO(workbook(2)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"spreadsheetml.sheet.main+xml", MACRO_TYPE.split("/")[1].encode()
                )
            target.writestr(item, data)
    return out.getvalue()


def zip_bomb_workbook() -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook(2))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/media/padding.bin", b"\0" * (64 << 20))
    return out.getvalue()


HOSTILE = {
    "macro_workbook": macro_workbook,
    "encrypted_workbook": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024),
    "not_xlsx": lambda: feature_csv(3),
    "compression_bomb": zip_bomb_workbook,
}


@pytest.mark.parametrize("code", list(HOSTILE))
def test_a_hostile_workbook_is_rejected_with_the_reason(local_stack, user, code):
    # Given a workbook that is macro-enabled, encrypted, really a CSV, or a zip bomb
    created = submit(user, HOSTILE[code](), "hostile.xlsx")

    # When it is ingested / Then it is rejected, the reason naming the file
    job = wait_until_final(user, created["job_id"], local_stack)
    assert job["status"] == "REJECTED", job
    assert job["error"]["code"] == code
    assert "hostile.xlsx" in job["error"]["message"]


def test_dropped_xlsx_and_csv_gz_are_scored_with_the_tenants_saved_mapping(local_stack):
    # Given a tenant whose drop folder keeps a column mapping, and a workbook and a gzipped CSV
    # whose third column has the tenant's own name
    s3 = local_stack.boto3_client("s3")
    bucket = local_stack.outputs["DataBucketName"]
    tenant = f"partner-{uuid.uuid4().hex[:8]}"
    schema_name = feature_frame().columns[2]
    mapping = {"Perimeter (avg)": schema_name}
    s3.put_object(
        Bucket=bucket, Key=f"dropbox/{tenant}/column_map.json", Body=json.dumps(mapping).encode()
    )
    text = feature_csv(4).decode().replace(schema_name, "Perimeter (avg)", 1).encode()

    # When both are dropped
    s3.put_object(
        Bucket=bucket,
        Key=f"dropbox/{tenant}/in/book.xlsx",
        Body=workbook(6, headers=written_headers()),
    )
    s3.put_object(Bucket=bucket, Key=f"dropbox/{tenant}/in/rows.csv.gz", Body=gzip.compress(text))

    # Then each result lands in the outbox under its stem, with the mapped column matched
    for stem, rows in (("in/book", 6), ("in/rows", 4)):
        wait_for_object(local_stack, f"outbox/{tenant}/{stem}.xlsx")
        body = s3.get_object(Bucket=bucket, Key=f"outbox/{tenant}/{stem}.xlsx")["Body"].read()
        sheets = read_sheets(body)
        assert len(sheets["predictions"]) == rows + 1
        assert summary_of(sheets)["column 'Perimeter (avg)'"].endswith("(column_map)")
