from django.urls import path

from . import views

urlpatterns = [
    path("noop/", views.noop, name="noop"),
    path("insert/", views.insert, name="insert"),
    path("list/", views.item_list, name="list"),
]
