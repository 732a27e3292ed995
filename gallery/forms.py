from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catchmind.text import has_unprintable, tidy
from gallery.models import TITLE_MAX, Report


def clean_title(raw: str) -> str:
    """Titles are short plain text: NFC, single spaces, no control or format characters."""
    title = tidy(raw or "")
    if has_unprintable(title):
        raise forms.ValidationError(_("Titles cannot contain control characters."), code="control")
    if len(title) > TITLE_MAX:
        raise forms.ValidationError(
            _("Titles can be at most %(max)d characters.") % {"max": TITLE_MAX}, code="too_long"
        )
    return title


class PublishForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        required=False,
        strip=False,
        # The browser's limit is a courtesy; the server counts after normalising.
        max_length=TITLE_MAX * 4,
        help_text=_("Optional, up to %(max)d characters. Without one, the word is the title.")
        % {"max": TITLE_MAX},
    )

    def clean_title(self) -> str:
        return clean_title(self.cleaned_data.get("title", ""))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Report.Reason.choices)


SORTS = {"new", "top", "week"}


class FilterForm(forms.Form):
    """The gallery's query string; bad values are ignored rather than refused."""

    q = forms.CharField(required=False, max_length=60, label=_("Search"))
    word = forms.CharField(required=False, max_length=30, label=_("Word"))
    lang = forms.ChoiceField(
        required=False,
        label=_("Language"),
        choices=[("", _("All languages")), ("ko", "한국어"), ("en", "English")],
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[("new", _("Newest")), ("top", _("Most liked")), ("week", _("This week"))],
    )

    def values(self) -> dict[str, str]:
        self.is_valid()  # cleaned_data then holds the fields that were valid
        data = self.cleaned_data
        return {
            "q": (data.get("q") or "").strip(),
            "word": (data.get("word") or "").strip(),
            "lang": data.get("lang") or "",
            "sort": data.get("sort") if data.get("sort") in SORTS else "new",
        }
