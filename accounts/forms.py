from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.identity import NAME_MAX, validate_display_name
from accounts.models import Profile


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "avatar_color", "avatar_emoji"]
        widgets = {
            "display_name": forms.TextInput(attrs={"maxlength": NAME_MAX, "autocomplete": "off"}),
            "avatar_color": forms.RadioSelect(attrs={"class": "avatar-color-choice"}),
            "avatar_emoji": forms.RadioSelect(attrs={"class": "avatar-emoji-choice"}),
        }
        help_texts = {"display_name": _("Other players see this name in rooms.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Room for the validator to report "too long" instead of the browser cutting it.
        self.fields["display_name"].max_length = None
        self.fields["display_name"].validators = []
        self.fields["display_name"].widget.attrs.pop("maxlength", None)

    def clean_display_name(self) -> str:
        return validate_display_name(self.cleaned_data.get("display_name"))


class DeleteAccountForm(forms.Form):
    KEEP = "keep"
    DELETE = "delete"

    drawings = forms.ChoiceField(
        label=_("Your published drawings"),
        choices=[
            (KEEP, _("Keep them in the gallery without my name")),
            (DELETE, _("Delete them")),
        ],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account is deleted for good and cannot be restored."),
        required=True,
    )

    @property
    def keep_drawings(self) -> bool:
        return self.cleaned_data["drawings"] == self.KEEP
