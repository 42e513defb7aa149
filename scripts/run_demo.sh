#!/usr/bin/env bash
# Run the web server (gunicorn) and the background worker (Huey) together; Ctrl-C stops both.
set -uo pipefail
cd "$(dirname "$0")/.."
host=${1:-127.0.0.1}
port=${2:-8000}
trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait' INT TERM EXIT
.venv/bin/python manage.py run_huey --workers 2 &
.venv/bin/gunicorn config.wsgi --bind "$host:$port" --workers 2 --threads 4 --access-logfile - &
wait -n
