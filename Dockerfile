# syntax=docker/dockerfile:1
# papertrade production image. Targets:
#   app       (default, last stage) web, Celery workers for the default and ingestion queues, beat, feed
#   training  app + the RL stack (requirements/strategies.txt) for the training queue worker
#   nginx     nginx with the collected static files and the built SPA assets baked in
# Build: docker build -t papertrade .            docker build --target training -t papertrade-training .
#        docker compose build                     (builds all three; see docs/deployment.md)

# --- 1. the SPA (React + Vite) -> /spa/dist ---------------------------------------------------
FROM node:20-bookworm-slim AS spa
WORKDIR /spa
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --- 2. Python runtime with the web/worker dependencies -----------------------------------------
FROM python:3.11-slim-bookworm AS python
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PAPERTRADE_VAR_DIR=/var/lib/papertrade
# psycopg[binary], cryptography and the rest ship manylinux wheels: no compiler is needed here.
RUN groupadd --system --gid 10001 papertrade \
 && useradd --system --uid 10001 --gid papertrade --home-dir /app --shell /usr/sbin/nologin papertrade \
 && mkdir -p /app /var/lib/papertrade/artifacts \
 && chown -R papertrade:papertrade /var/lib/papertrade
WORKDIR /app
COPY requirements/ requirements/
RUN pip install -r requirements/base.txt

# --- 3. the application: code + built SPA + collected static files --------------------------------
FROM python AS app-build
COPY . .
COPY --from=spa /spa/dist frontend/dist
# collectstatic only needs the settings to import: the embedded default does (no secrets, no services).
RUN DJANGO_SETTINGS_MODULE=config.settings.local PAPERTRADE_VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput \
 && rm -rf /tmp/build-var \
 && chmod 0755 deploy/entrypoint.sh \
 && chown -R papertrade:papertrade /app/staticfiles

# --- 4. training worker image: the RL stack on top of the app ---------------------------------------
FROM app-build AS training
# The non-root user's home is not writable: caches of matplotlib and torch go to /tmp.
ENV MPLCONFIGDIR=/tmp/matplotlib XDG_CACHE_HOME=/tmp/cache
# strategies-nodeps.txt holds packages whose declared dependencies conflict with base.txt (see the file).
# torch first from PyTorch's CPU index: PyPI's build of the same version pulls several GB of CUDA.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && if [ -f requirements/strategies.txt ]; then pip install -r requirements/strategies.txt; fi \
 && if [ -f requirements/strategies-nodeps.txt ]; then pip install --no-deps -r requirements/strategies-nodeps.txt; fi
ENV DJANGO_SETTINGS_MODULE=config.settings.production
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 \
  CMD ["python", "deploy/healthcheck.py", "worker", "training"]
ENTRYPOINT ["deploy/entrypoint.sh"]
CMD ["worker-training"]

# --- 5. nginx in front: static files and the SPA's hashed assets, proxy to the web tier --------------
FROM nginx:1.27-alpine AS nginx
COPY deploy/nginx/papertrade.conf /etc/nginx/conf.d/default.conf
COPY --from=app-build /app/staticfiles /srv/papertrade/static
COPY --from=app-build /app/frontend/dist/assets /srv/papertrade/assets
EXPOSE 80
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1/nginx-health"]

# --- 6. default target: web / workers / beat / feed ------------------------------------------------
FROM app-build AS app
ENV DJANGO_SETTINGS_MODULE=config.settings.production
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=10s --start-period=30s --retries=3 \
  CMD ["python", "deploy/healthcheck.py", "web"]
ENTRYPOINT ["deploy/entrypoint.sh"]
CMD ["web"]
