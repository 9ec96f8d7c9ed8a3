from django.conf import settings


def bureau(request):
    return {"BUREAU_NAME": settings.BUREAU_NAME}
