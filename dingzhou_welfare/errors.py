"""The 400 page in the application's style, saying which limit a request went over."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.utils.translation import gettext as _


def bad_request(request, exception=None):
    """handler400. A form over DATA_UPLOAD_MAX_MEMORY_SIZE (files aside) or with too many fields says so,
    with the limit, so the clerk knows what to shorten; any other bad request gets a plain sentence."""
    if isinstance(exception, RequestDataTooBig):
        reason = _("提交的表单内容太大（文件以外的文字超过 %(mb)s MB），没有保存。请缩短过长的文字后重试。") % {
            "mb": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:g}"
        }
    elif isinstance(exception, TooManyFieldsSent):
        reason = _("提交的表单字段太多（超过 %(n)d 个），没有保存。") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    elif isinstance(exception, TooManyFilesSent):
        reason = _("一次上传的文件太多（超过 %(n)d 个），没有保存。") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    else:
        reason = _("请求无法处理，数据没有被改动。请返回上一页重试。")
    return render(request, "400.html", {"reason": reason}, status=400)
