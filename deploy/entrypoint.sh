#!/bin/sh
# Container entry point: one papertrade process per container. The same command lines are in the
# Procfile and the Makefile (make web / worker / beat / feed) for bare machines.
#
#   web               uvicorn workers (config/serve.py), HTTP + WebSockets (run several behind nginx)
#   worker            Celery worker, default queue
#   worker-ingestion  Celery worker, ingestion queue (historical.* tasks)
#   worker-training   Celery worker, training queue (strategies.* tasks; the `training` image)
#   beat              Celery beat with the database scheduler -- run exactly one
#   feed              market feed runner (holds a Redis lock: a second one waits) -- run one
#   migrate           apply database migrations, then exit
#   manage ARGS...    any manage.py command
# Extra arguments after the process name are passed on (e.g. `worker-ingestion --concurrency=4`).
set -eu

# An empty variable counts as unset, so the settings' default applies (a copied .env.example
# leaves many empty; settings would read "" instead of their default).
for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=$/\1/p'); do
  unset "$name"
done

process="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$process" in
  web)
    # uvicorn, PAPERTRADE_WEB_WORKERS processes on one port; no access log (nginx writes a JSON one).
    exec python -m config.serve --host 0.0.0.0 --port "${PORT:-8000}" "$@" ;;
  worker)
    exec celery -A config worker -Q default -n "default@%h" -l INFO "$@" ;;
  worker-ingestion)
    exec celery -A config worker -Q ingestion -n "ingestion@%h" -l INFO "$@" ;;
  worker-training)
    exec celery -A config worker -Q training -n "training@%h" -l INFO --concurrency=1 "$@" ;;
  beat)
    exec celery -A config beat -l INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler "$@" ;;
  feed)
    exec python manage.py run_feed "$@" ;;
  migrate)
    exec python manage.py migrate --noinput "$@" ;;
  manage)
    exec python manage.py "$@" ;;
  *)
    exec "$process" "$@" ;;
esac
