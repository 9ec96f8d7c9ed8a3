from django.urls import path

from . import pages, schema, views

app_name = "api"

urlpatterns = [
    path("schema/", schema.SchemaView.as_view(), name="schema"),
    path("docs/", schema.swagger_view, name="docs"),
    path("redoc/", schema.redoc_view, name="redoc"),
    path("clients/", pages.client_list, name="clients"),
    path("clients/<int:pk>/revoke/", pages.client_revoke, name="client_revoke"),
    path("v1/changes/", views.ChangeList.as_view(), name="changes"),
    path("v1/batches/", views.BatchList.as_view(), name="batches"),
    path("v1/batches/<str:month>/lines/", views.BatchLineList.as_view(), name="batch_lines"),
    path("v1/counts/", views.Counts.as_view(), name="counts"),
]
