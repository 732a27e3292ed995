"""Defensive access to the game app's models.

accounts must work before and without the game tables (the game app lands separately and
other apps may be absent in a trimmed deployment), so every lookup goes through here.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist


def model(app_label: str, name: str):
    """The model class, or ``None`` when that app or model is not installed."""
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def has_field(model_cls, name: str) -> bool:
    if model_cls is None:
        return False
    try:
        model_cls._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
