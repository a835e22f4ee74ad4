"""Large registry imports run on the task worker (`manage.py db_worker`), not in the request.

An admin import of more than IMPORT_IN_BACKGROUND_ROWS rows is saved to the media store and
checked by a task (the same dry run the admin does); a status page shows the preview and every
error, then, when the file is clean and an editor confirms, a second task imports it, all rows or
none (mutuals.resources.import_mutuals). Smaller files keep django-import-export's own pages.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from mutuals.models import ImportBatch
from mutuals.resources import check_mutuals, describe_totals, import_mutuals, row_errors
from mutuals.spreadsheets import SpreadsheetError, read_spreadsheet

PREVIEW_ROWS = 100
ACTIONS = {"new": "New", "update": "Update", "skip": "Unchanged", "error": "Error", "invalid": "Problem"}
ERRORS_SHOWN = 1000


def _load(path):
    """The file as the editor uploaded it, read as the admin reads it."""
    with default_storage.open(path, "rb") as stored:
        return read_spreadsheet(stored.read())


def _options(user_id, file_name):
    return {"user": get_user_model().objects.filter(pk=user_id).first(), "file_name": file_name}


def _summary(result, dataset):
    errors = row_errors(result)
    return {
        "rows": len(dataset),
        "totals": describe_totals(result),
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "held": getattr(result, "held", 0),
        "batch": result.batch.pk if getattr(result, "batch", None) else None,
    }


@task()
def check_mutual_import(path: str, user_id: int, file_name: str) -> dict:
    """The admin's dry run, on the worker: what each row would do, and every error."""
    dataset = _load(path)
    result = check_mutuals(dataset=dataset, **_options(user_id, file_name))
    summary = _summary(result, dataset)
    summary["preview"] = [
        {
            "number": getattr(row, "line", None) or number + 1,
            "action": ACTIONS.get(row.import_type, row.import_type),
            "name": row.object_repr or "",
        }
        for number, row in enumerate(result.rows[:PREVIEW_ROWS], start=1)
    ]
    summary["clean"] = not (result.has_errors() or result.has_validation_errors())
    return summary


@task()
def run_mutual_import(path: str, user_id: int, file_name: str) -> dict:
    """The import itself, all rows or none; new rows arrive as drafts."""
    dataset = _load(path)
    result, imported = import_mutuals(
        dataset=dataset, source=ImportBatch.Source.BACKGROUND, **_options(user_id, file_name)
    )
    summary = _summary(result, dataset)
    summary["imported"] = imported
    if imported:
        default_storage.delete(path)
    return summary


def start_if_large(request, model_admin, upload):
    """For a file of more than IMPORT_IN_BACKGROUND_ROWS rows: keep it, queue its check, and
    send the editor to the status page. None for a smaller or unreadable file (the admin's own
    pages deal with it)."""
    data = upload.read()
    upload.seek(0)
    try:
        rows = len(read_spreadsheet(data))
    except SpreadsheetError:
        return None
    if rows <= settings.IMPORT_IN_BACKGROUND_ROWS:
        return None
    path = default_storage.save(f"imports/{uuid.uuid4().hex}", ContentFile(data))
    result = check_mutual_import.enqueue(path, request.user.pk, upload.name)
    messages.info(request, f"Your file has {rows:,} rows, so it is being checked in the background.")
    return HttpResponseRedirect(_status_url(model_admin, result.id))


def _status_url(model_admin, result_id):
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_import_status", args=[result_id])


def _result(result_id):
    for kind in (check_mutual_import, run_mutual_import):
        try:
            return kind, kind.get_result(str(result_id))
        except (TaskResultDoesNotExist, TaskResultMismatch, ValueError):
            continue
    raise Http404("No such import.")


def status_view(model_admin, request, result_id):
    """The check's preview and errors (with Confirm when clean), or the import's outcome."""
    if not model_admin.has_import_permission(request):
        raise Http404("No such import.")
    kind, result = _result(result_id)
    if request.method == "POST" and kind is check_mutual_import:
        if result.status == TaskResultStatus.SUCCESSFUL and result.return_value["clean"]:
            run = run_mutual_import.enqueue(*result.args)
            return HttpResponseRedirect(_status_url(model_admin, run.id))
    finished = result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Checking the import" if kind is check_mutual_import else "Importing",
        "is_check": kind is check_mutual_import,
        "result": result,
        "summary": result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None,
        "failed": result.status == TaskResultStatus.FAILED,
        "finished": finished,
        "finished_at": result.finished_at,
    }
    return render(request, "admin/mutuals/mutual/import_status.html", context)
