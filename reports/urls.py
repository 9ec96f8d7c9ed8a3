from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("monthly.pdf", views.monthly_print, name="monthly_print"),
    path("print/", views.print_center, name="print"),
    path("print/roster/", views.roster, name="roster"),
    path("print/case-files/", views.case_files, name="case_files"),
    path("children/<int:pk>/case-file.pdf", views.case_file, name="case_file"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
]
