from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/totals.xlsx", views.campaign_xlsx, name="xlsx"),
    path("<int:pk>/children/", views.campaign_children, name="children"),
    path("<int:pk>/children/<int:child_pk>/", views.handout_edit, name="handout"),
    path("<int:pk>/children/<int:child_pk>/remove/", views.handout_remove, name="handout_remove"),
]
