from django.urls import path

from gallery import views

app_name = "gallery"

urlpatterns = [
    path("", views.gallery, name="list"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/replay.json", views.replay_data, name="replay-data"),
    # Pictures are named by the drawing's token, which versions them (cached for a year).
    path("<int:pk>/<slug:token>-thumb.png", views.picture, {"kind": "thumb"}, name="thumb"),
    path("<int:pk>/<slug:token>.png", views.picture, {"kind": "png"}, name="png"),
    path("<int:pk>/<slug:token>.gif", views.picture, {"kind": "gif"}, name="gif"),
    path("<int:pk>/publish", views.publish, name="publish"),
    path("<int:pk>/unpublish", views.unpublish, name="unpublish"),
    path("<int:pk>/delete", views.delete, name="delete"),
    path("<int:pk>/like", views.like, name="like"),
    path("<int:pk>/report", views.report, name="report"),
]
