from django.urls import include, path

from . import decisions, export_views, views

app_name = "children"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_create, name="create"),
    path("export/", export_views.child_export, name="export"),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    path("exports/<int:pk>/retry/", export_views.export_retry, name="export_retry"),
    path("<int:pk>/not-duplicate/<int:other_pk>/", decisions.not_duplicate, name="not_duplicate"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/reveal/", views.child_reveal, name="reveal"),
    path("<int:pk>/close/", decisions.child_close, name="close"),
    path("<int:pk>/classifications/", views.classification_add, name="classification_add"),
    path("<int:pk>/classifications/<int:classification_pk>/end/", views.classification_end, name="classification_end"),
    path("<int:pk>/classifications/<int:classification_pk>/review/", views.review_record, name="classification_review"),
    path("reviews/", views.review_list, name="reviews"),
    path("<int:pk>/parents/new/", views.parent_situation_add, name="parent_add"),
    path("<int:pk>/carer/", views.carer_edit, name="carer"),
    path("<int:pk>/account/", views.payment_account_edit, name="account"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document"),
    path("", include("children.agreements.urls")),  # in this namespace: children:agreement, ...
]
