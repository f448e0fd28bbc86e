from __future__ import annotations

from django.urls import path

from channels_show import views

urlpatterns = [
    path("api/health", views.health),
    path("api/shows/<str:show_id>/chat", views.post_chat),
    path("api/shows/<str:show_id>/drops", views.start_drop),
    path("api/shows/<str:show_id>/drops/<str:drop_id>/end", views.end_drop),
]
