# One image for the web processes (gunicorn), the Celery worker, Celery beat and the migrate job.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango and HarfBuzz; pages and PDFs need a CJK font served locally;
# gettext compiles the translations; pg_dump/pg_restore (the server's major version, 15) make and
# restore backups (manage.py backup / restore).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 1000 --user-group --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, from the lock file with hashes (bin/lock), so a code change reuses this layer.
COPY requirements/runtime.txt requirements/
RUN pip install --require-hashes --no-deps -r requirements/runtime.txt

COPY . .

# Uploaded and generated files live in /data (a volume shared by web and worker);
# static files are collected into the image and served by WhiteNoise.
ENV VAR_DIR=/data \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles

# Build-time steps need loadable settings only: a throwaway key, never used at run time.
RUN if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
        DEBUG=true python manage.py compilemessages --verbosity 0; \
    fi \
    && SECRET_KEY=build-only-dummy-key-not-used-at-run-time DEBUG=false \
        python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /data/media \
    && chown -R app:app /data

USER app
EXPOSE 8000

CMD ["gunicorn", "dingzhou_welfare.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--no-control-socket"]
