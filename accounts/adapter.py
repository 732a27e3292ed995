"""allauth hooks: the first sign-in creates the player's profile with the provider's name."""

from __future__ import annotations

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.utils.translation import gettext_noop

from accounts.carryover import remember_guest
from accounts.profiles import ensure_profile, provider_name

# The providers' names as the sign-in pages show them ({% translate provider.name %}).
PROVIDER_NAMES = (
    gettext_noop("Google"),
    gettext_noop("GitHub"),
    gettext_noop("Kakao"),
    gettext_noop("Naver"),
)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        # Before allauth logs the user in: the guest's seat moves to the account on login.
        remember_guest(request)
        super().pre_social_login(request, sociallogin)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        # Naver reports no name field allauth knows; keep the name for the username and
        # the profile (allauth makes the username unique and ASCII-safe when saving).
        name = provider_name(sociallogin.account.provider, sociallogin.account.extra_data)
        if name and not user.first_name:
            user.first_name = name[:150]
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        account = sociallogin.account
        ensure_profile(user, provider_name(account.provider, account.extra_data))
        return user
