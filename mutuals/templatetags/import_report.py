"""The import page's reading of a django-import-export result: problems, then a narrow preview."""

from django import template

from mutuals.models import ImportedChange, Mutual
from mutuals.resources import problems
from psm_site.publishing import can_publish

register = template.Library()

ACTIONS = {"new": "New (arrives as a draft)", "update": "Updated", "skip": "Unchanged", "delete": "Deleted"}


@register.simple_tag
def import_problems(result):
    return problems(result)


@register.simple_tag
def import_preview(result):
    """One short line per row: its spreadsheet row, what happens to it, the mutual's name, and the
    columns an update changes (as the file heads them)."""
    rows = []
    for row in result.valid_rows():
        if getattr(row, "held_for_review", False):
            action = "Published: waits for a publisher's review"
        else:
            action = ACTIONS.get(row.import_type, row.import_type)
        rows.append(
            {
                "line": getattr(row, "line", None),
                "action": action,
                "name": row.object_repr or "",
                "columns": getattr(row, "changed_columns", []) if row.import_type == "update" else [],
            }
        )
    return rows


@register.simple_tag
def held_import_changes(user):
    """How many import changes wait for this user to apply or reject (publishers only)."""
    return ImportedChange.objects.count() if can_publish(user, Mutual) else 0
