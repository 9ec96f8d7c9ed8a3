from django.urls import path

from . import registration_views, views

app_name = "adoption"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/applicants/new/", views.applicant_add, name="applicant_add"),
    path("<int:pk>/applicants/<int:applicant_pk>/", views.applicant_edit, name="applicant_edit"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document"),
    path("<int:pk>/findings/", views.findings_edit, name="findings"),
    path("<int:pk>/submit/", views.case_submit, name="submit"),
    path("<int:pk>/assessment/", views.case_start_assessment, name="start_assessment"),
    path("<int:pk>/integration/", views.case_start_integration, name="start_integration"),
    path("<int:pk>/report/", views.case_complete_assessment, name="complete_assessment"),
    path("<int:pk>/notice/", views.case_notice, name="notice"),
    path("<int:pk>/register/", registration_views.case_register, name="register"),
    path("<int:pk>/refuse/", views.case_refuse, name="refuse"),
    path("<int:pk>/withdraw/", views.case_withdraw, name="withdraw"),
    path("<int:pk>/assessment.pdf", views.assessment_pdf, name="assessment_pdf"),
    path("<int:pk>/registration.pdf", views.registration_pdf, name="registration_pdf"),
]
