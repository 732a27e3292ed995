"""Gallery pages: the public grid, "My drawings", a drawing's page with its replay, the
pictures, and the owner's, likers' and reporters' forms (all POST with CSRF).

Who may see a drawing: everyone when it is published and not hidden; otherwise only its
drawer (a signed-in user, or the guest session that drew it) and staff. Others get 404, so
private drawings cannot even be probed. Only the drawer publishes, unpublishes or deletes.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.identity import SESSION_GUEST_ID
from gallery import images, saving
from gallery.forms import FilterForm, PublishForm, ReportForm
from gallery.models import Drawing, Like, Report

PAGE_SIZE = 24
YEAR = 365 * 24 * 3600


def report_threshold() -> int:
    return max(int(getattr(settings, "GALLERY_REPORT_THRESHOLD", 3)), 1)


def _guest_id(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    return request.session.get(SESSION_GUEST_ID)


def _can_view(request: HttpRequest, drawing: Drawing) -> bool:
    user = request.user
    return (
        drawing.is_public
        or drawing.is_owner(user, _guest_id(request))
        or (user.is_authenticated and user.is_staff)
    )


def _visible(request: HttpRequest, pk: int, *, likes: bool = False) -> Drawing:
    """The drawing (without its heavy columns) if this visitor may see it; ``likes`` adds
    ``like_count`` and, for a signed-in visitor, ``liked`` (:meth:`DrawingQuerySet.with_likes`,
    same query)."""
    qs = Drawing.objects.light()
    if likes:
        qs = qs.with_likes(request.user)
    drawing = get_object_or_404(qs, pk=pk)
    if not _can_view(request, drawing):
        raise Http404("no such drawing")
    return drawing


def _owned(request: HttpRequest, pk: int) -> Drawing:
    drawing = _visible(request, pk)
    if not drawing.is_owner(request.user, _guest_id(request)):
        raise PermissionDenied("only the drawer may do this")
    return drawing


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------


@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    filters = FilterForm(request.GET).values()
    qs = Drawing.objects.public().light().with_likes(request.user)
    if filters["word"]:
        qs = qs.filter(word__iexact=filters["word"])
    if filters["lang"]:
        qs = qs.filter(language=filters["lang"])
    if filters["q"]:
        qs = qs.filter(Q(title__icontains=filters["q"]) | Q(word__icontains=filters["q"]))
    if filters["sort"] == "top":
        qs = qs.order_by("-like_count", "-published_at", "-id")
    elif filters["sort"] == "week":
        since = timezone.now() - dt.timedelta(days=7)
        qs = qs.filter(published_at__gte=since).order_by("-like_count", "-published_at", "-id")
    else:
        qs = qs.order_by("-published_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in filters.items() if v and not (k == "sort" and v == "new")}
    return render(
        request,
        "gallery/list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "sorts": [
                ("new", _("Newest")),
                ("top", _("Most liked")),
                ("week", _("This week")),
            ],
        },
    )


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    qs = (
        Drawing.objects.owned_by(request.user, _guest_id(request))
        .light()
        .with_likes(request.user)
        .order_by("-created_at", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "gallery/mine.html", {"page": page, "query": {}})


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    drawing = _visible(request, pk, likes=True)
    user = request.user
    entries = Drawing.objects.filter(pk=pk).values_list("timeline", flat=True).get() or []
    png = reverse("gallery:png", args=[drawing.pk, drawing.token])
    context = {
        "drawing": drawing,
        "is_owner": drawing.is_owner(user, _guest_id(request)),
        "likes": drawing.like_count,
        "liked": getattr(drawing, "liked", False),
        "timeline": entries,
        "summary": saving.summary(entries, drawing.word),
        "drawer_display": _("Deleted user") if drawing.drawer_deleted else drawing.drawer_name,
        "publish_form": PublishForm(initial={"title": drawing.title}),
        "report_form": ReportForm(),
        "png_url": png,
        "og_image": request.build_absolute_uri(png),
        "og_url": request.build_absolute_uri(drawing_url(drawing.pk)),
        "replay": {
            "data": reverse("gallery:replay-data", args=[drawing.pk]),
            "duration": drawing.duration_ms,
        },
    }
    return render(request, "gallery/detail.html", context)


def drawing_url(pk: int) -> str:
    return reverse("gallery:detail", args=[pk])


@require_GET
def replay_data(request: HttpRequest, pk: int) -> JsonResponse:
    drawing = _visible(request, pk)
    ops, pace = Drawing.objects.filter(pk=pk).values_list("ops", "pace").get()
    response = JsonResponse(
        {"ops": ops, "times": saving.op_times(ops, pace), "duration": drawing.duration_ms}
    )
    response["Cache-Control"] = "public, max-age=3600" if drawing.is_public else "private"
    return response


async def picture(request: HttpRequest, pk: int, token: str, kind: str) -> HttpResponse:
    """PNG, thumbnail or GIF. Async, and rendering runs in a worker thread, so a GIF being
    rendered blocks neither the event loop nor the thread the game's actions use."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    if kind not in images.KINDS:
        raise Http404("no such picture")
    drawing = await sync_to_async(_visible)(request, pk)
    if drawing.token != token:
        raise Http404("no such picture")
    # Storage reads and rendering in a worker thread; database reads and writes where the
    # view's other queries run.
    data = await asyncio.to_thread(images.stored, drawing, kind)
    if data is None:
        ops, pace = await sync_to_async(images.source)(drawing)
        data = await asyncio.to_thread(images.render_kind, ops, pace, kind)
        await sync_to_async(images.store)(drawing, kind, data)
    response = HttpResponse(data, content_type=images.KINDS[kind][2])
    # The URL carries the token: its content never changes.
    scope = "public" if drawing.is_public else "private"
    response["Cache-Control"] = f"{scope}, max-age={YEAR}, immutable"
    if request.GET.get("download"):
        extension = "gif" if kind == "gif" else "png"
        response["Content-Disposition"] = (
            f'attachment; filename="catchmind-{drawing.pk}.{extension}"'
        )
    return response


# --------------------------------------------------------------------------------------
# The drawer's actions
# --------------------------------------------------------------------------------------


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    drawing = _owned(request, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("title", []):
            messages.error(request, error)
        return redirect(drawing_url(drawing.pk))
    fields = {"title": form.cleaned_data["title"], "is_published": True}
    if not drawing.is_published:
        fields["published_at"] = timezone.now()
    Drawing.objects.filter(pk=drawing.pk).update(**fields)
    messages.success(request, _("Your drawing is in the gallery."))
    return _back(request, drawing_url(drawing.pk))


@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    drawing = _owned(request, pk)
    Drawing.objects.filter(pk=drawing.pk).update(is_published=False)
    messages.success(request, _("Your drawing is private again."))
    return _back(request, drawing_url(drawing.pk))


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    drawing = _owned(request, pk)
    if request.method == "POST":
        drawing.delete()
        messages.success(request, _("The drawing was deleted."))
        return redirect("gallery:mine")
    return render(request, "gallery/delete.html", {"drawing": drawing})


# --------------------------------------------------------------------------------------
# Likes and reports (signed-in players only)
# --------------------------------------------------------------------------------------


@require_POST
def like(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(drawing_url(pk))
    drawing = _visible(request, pk)
    removed, _kinds = Like.objects.filter(drawing=drawing, user=request.user).delete()
    if not removed:
        try:
            with transaction.atomic():
                Like.objects.create(drawing=drawing, user=request.user)
        except IntegrityError:  # a double click raced us: it is liked either way
            pass
    if "application/json" in request.headers.get("Accept", ""):
        # The page's script likes without reloading (and restarting the replay).
        return JsonResponse({"liked": not removed, "likes": drawing.likes.count()})
    return _back(request, drawing_url(drawing.pk))


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(drawing_url(pk))
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reason."))
        return redirect(drawing_url(pk))
    drawing = _visible(request, pk)
    if drawing.is_owner(request.user, None):
        messages.error(request, _("You cannot report your own drawing."))
        return redirect(drawing_url(drawing.pk))
    if file_report(drawing, request.user, form.cleaned_data["reason"]):
        messages.success(request, _("Thank you. A moderator will look at this drawing."))
    else:
        messages.info(request, _("You already reported this drawing."))
    return redirect(drawing_url(drawing.pk) if _can_view(request, drawing) else "gallery:list")


def file_report(drawing: Drawing, reporter, reason: str) -> bool:
    """Record a report; hide the drawing once enough different players reported it since
    its last review. Returns False when this player had reported it already."""
    with transaction.atomic():
        # Reports of one drawing take turns, so two at once cannot both miss the threshold.
        Drawing.objects.select_for_update().filter(pk=drawing.pk).values_list("pk").get()
        if Report.objects.filter(drawing=drawing, reporter=reporter).exists():
            return False
        Report.objects.create(drawing=drawing, reporter=reporter, reason=reason)
        open_reporters = (
            Report.objects.filter(drawing=drawing, resolved_at__isnull=True)
            .values("reporter")
            .distinct()
            .count()
        )
        if open_reporters >= report_threshold():
            Drawing.objects.filter(pk=drawing.pk, is_hidden=False).update(
                is_hidden=True, hidden_reason="reports"
            )
    return True
