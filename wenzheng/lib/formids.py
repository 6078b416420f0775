"""A choice of several records never sends the database an id it cannot hold.

Django answers an out-of-range id in an exact lookup with no rows (5.0), but not in
`__in`: a ModelMultipleChoiceField given 999999999999999999999999999999 (a forged
checkbox value) made SQLite raise OverflowError, a 500, in every form that picks
messages or people, and in the admin's many-to-many pickers. `install` (from
OpsConfig.ready) has every such field refuse it as an invalid choice first, as it
refuses any other id that is not there.
"""

from django.db import models
from django.forms import ModelMultipleChoiceField, ValidationError

# The widest integer column either database holds (a signed 64-bit BIGINT).
LOWEST, HIGHEST = -(2**63), 2**63 - 1


def _out_of_range(value) -> bool:
    try:
        number = int(str(value).strip())
    except ValueError:
        return False  # not a number: Django's own check refuses it
    return not LOWEST <= number <= HIGHEST


def install() -> None:
    original = ModelMultipleChoiceField._check_values
    if getattr(original, "checks_id_range", False):
        return

    def _check_values(self, value):
        field = (
            self.queryset.model._meta.pk
            if not self.to_field_name
            else self.queryset.model._meta.get_field(self.to_field_name)
        )
        if isinstance(field, models.IntegerField | models.AutoField) and not isinstance(value, str | bytes):
            try:
                wrong = next((v for v in value if _out_of_range(v)), None)
            except TypeError:
                wrong = None  # not a list: Django's own check refuses it
            if wrong is not None:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": wrong}
                )
        return original(self, value)

    _check_values.checks_id_range = True
    ModelMultipleChoiceField._check_values = _check_values
