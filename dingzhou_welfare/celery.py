import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dingzhou_welfare.settings")

app = Celery("dingzhou_welfare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
