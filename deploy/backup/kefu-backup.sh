#!/usr/bin/env bash
# Nightly backup of Kefu's database, proven by a restore (docs/deployment.md, "Backups").
#   kefu-backup.sh /var/backups/kefu [days to keep, default 14]
# The dump is taken and checked by `manage.py backup_check --keep-dump`: the restored copy must
# match the live database's key tables at the dump's snapshot, or the script fails (and systemd
# reports the unit failed). Uploads on S3 are versioned in the bucket (see the doc); on local disk
# they are copied with rsync by the same script.
set -euo pipefail
dest=${1:?backup directory}
keep=${2:-14}
cd "$(dirname "$0")/../.."
mkdir -p "$dest"
stamp=$(date +%Y-%m-%dT%H%M)
.venv/bin/python manage.py backup_check --keep-dump "$dest/kefu-$stamp.dump"
if [ -z "${KEFU_S3_BUCKET:-}" ] && [ -d "${KEFU_VAR_DIR:-var}/media" ]; then
  rsync -a --delete "${KEFU_VAR_DIR:-var}/media/" "$dest/media/"
fi
find "$dest" -maxdepth 1 -name 'kefu-*.dump*' -mtime +"$keep" -delete
