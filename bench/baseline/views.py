"""Three views, written the way the Django tutorial would: the baseline's endpoints."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import Item

PER_PAGE = 50


def noop(request):
    """A no-op view: the cost of Django, the middleware and the server alone."""
    return HttpResponse("ok")


@require_POST
def insert(request):
    """One-row insert from a CSRF-checked form POST, then a redirect (post/redirect/get)."""
    Item.objects.create(name=request.POST.get("name", "")[:100])
    return redirect("noop")


@login_required
def item_list(request):
    """A signed-in list page: 50 rows in index order with OFFSET, through one template."""
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    offset = (page - 1) * PER_PAGE
    items = list(Item.objects.all()[offset : offset + PER_PAGE])
    return render(request, "baseline/list.html", {"items": items, "page": page})
