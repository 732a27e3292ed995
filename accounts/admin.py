"""Admin: users with their profile and sign-in providers, profiles, social accounts."""

from __future__ import annotations

from allauth.socialaccount.admin import SocialAccountAdmin as AllauthSocialAccountAdmin
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["display_name", "avatar_color", "avatar_emoji", "created"]
    readonly_fields = ["created"]


class SocialAccountInline(admin.TabularInline):
    model = SocialAccount
    extra = 0
    fields = ["provider", "uid", "date_joined", "last_login"]
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ProviderFilter(admin.SimpleListFilter):
    title = _("sign-in provider")
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        providers = SocialAccount.objects.values_list("provider", flat=True).distinct()
        return [(p, p) for p in sorted(providers)] + [("none", _("none (password only)"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(socialaccount__isnull=True)
        if self.value():
            return queryset.filter(socialaccount__provider=self.value()).distinct()
        return queryset


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [ProfileInline, SocialAccountInline]
    list_display = [
        "username",
        "display_name",
        "email",
        "providers",
        "date_joined",
        "last_login",
        "is_staff",
    ]
    list_filter = [ProviderFilter, "is_staff", "is_superuser", "is_active", "date_joined"]
    search_fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "profile__display_name",
        "socialaccount__uid",
    ]
    list_select_related = ["profile"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("socialaccount_set")

    @admin.display(description=_("display name"), ordering="profile__display_name")
    def display_name(self, user) -> str:
        profile = getattr(user, "profile", None)
        return profile.display_name if profile else "—"

    @admin.display(description=_("providers"))
    def providers(self, user) -> str:
        return ", ".join(sorted({a.provider for a in user.socialaccount_set.all()})) or "—"


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "avatar_emoji", "avatar_color", "created"]
    list_filter = ["avatar_color", "avatar_emoji", "created", "user__socialaccount__provider"]
    search_fields = ["display_name", "user__username", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["created"]
    list_select_related = ["user"]


# Providers are configured from the environment only (settings.SOCIALACCOUNT_PROVIDERS); a
# second, database app for the same provider would make allauth's app lookup ambiguous.
if admin.site.is_registered(SocialApp):
    admin.site.unregister(SocialApp)

if admin.site.is_registered(SocialAccount):
    admin.site.unregister(SocialAccount)


@admin.register(SocialAccount)
class SocialAccountAdmin(AllauthSocialAccountAdmin):
    list_display = ["user", "provider", "uid", "date_joined", "last_login"]
    list_filter = ["provider", "date_joined", "last_login"]
    search_fields = ["uid", "user__profile__display_name"]
    readonly_fields = ["date_joined", "last_login"]
    list_select_related = ["user"]  # the "user" column, without a query per row
