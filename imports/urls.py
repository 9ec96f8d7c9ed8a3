from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("template/<str:kind>/", views.template, name="template"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/confirm/", views.job_confirm, name="confirm"),
    path("<int:pk>/retry/", views.job_retry, name="retry"),
    path("<int:pk>/errors/", views.job_errors, name="errors"),
    path("<int:pk>/reveal/", views.job_reveal, name="reveal"),
]
