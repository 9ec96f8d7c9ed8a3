"""The agreement pages, included by children/urls.py: their names stay in the children namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("agreements/", views.work_list, name="agreements"),
    path("<int:pk>/agreements/new/", views.agreement_create, name="agreement_add"),
    path("<int:pk>/agreements/<int:agreement_pk>/", views.agreement_detail, name="agreement"),
    path("<int:pk>/agreements/<int:agreement_pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/agreements/<int:agreement_pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("<int:pk>/agreements/<int:agreement_pk>/reveal/", views.agreement_reveal, name="agreement_reveal"),
    path("<int:pk>/agreements/<int:agreement_pk>/end/", views.agreement_end, name="agreement_end"),
    path("<int:pk>/agreements/<int:agreement_pk>/pdf/", views.agreement_pdf, name="agreement_pdf"),
]
