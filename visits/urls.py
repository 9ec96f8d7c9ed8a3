from django.urls import path

from . import drafts, views

app_name = "visits"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("review/", views.review_queue, name="review_queue"),
    path("intervals/", views.interval_settings, name="intervals"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/handle/", views.report_handle, name="report_handle"),
    path("child/<int:pk>/new/", views.visit_create, name="create"),
    path("child/<int:pk>/draft/", drafts.draft_save, name="draft"),
    path("child/<int:pk>/draft/<int:visit_pk>/", drafts.draft_save, name="draft_edit"),
    path("child/<int:pk>/patrol/", views.patrol, name="patrol"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/edit/", views.visit_edit, name="edit"),
    path("<int:pk>/review/", views.visit_review, name="review"),
    path("<int:pk>/photos/<int:photo_pk>/", views.visit_photo, name="photo"),
]
