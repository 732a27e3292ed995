from django.urls import path

from game import views

urlpatterns = [
    path("api/me", views.me, name="api-me"),
    path("api/nickname", views.nickname, name="api-nickname"),
    path("api/wordpacks", views.wordpacks, name="api-wordpacks"),
    path("api/rooms", views.rooms, name="api-rooms"),
    path("api/rooms/<str:code>", views.room_detail, name="api-room"),
]
