import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError

from accounts.identity import identity_for, set_nickname, validate_display_name


@pytest.mark.parametrize("raw", ["", "   ", "a" * 21, "bad\x00name", "rtl\u202eoverride", None, 5])
def test_invalid_display_names_are_refused(raw):
    with pytest.raises(ValidationError):
        validate_display_name(raw)


def test_display_name_is_normalised():
    assert validate_display_name("  김  철수 ") == "김 철수"
    assert validate_display_name("<b>x</b>") == "<b>x</b>"  # kept as text; escaped when shown


def test_guest_keeps_one_id_and_its_nickname_across_calls():
    session = SessionStore()
    first = identity_for(session, AnonymousUser())
    assert first.is_guest and first.guest_id
    set_nickname(session, "철수")
    second = identity_for(session, AnonymousUser())
    assert second.guest_id == first.guest_id
    assert second.name == "철수"
