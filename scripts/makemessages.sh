#!/usr/bin/env bash
# Collect translatable strings into the catalogs (ADR 0006): apps with their own locale/ directory
# get their own catalog; everything else goes to the foundation's locale/ catalog.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$PWD/.venv/bin/python"
ignores=(--ignore=.venv --ignore=node_modules --ignore=static --ignore=var --ignore=staticfiles)
for dir in kefu/*/locale; do
  app="$(dirname "$dir")"
  ignores+=("--ignore=$app/*")
  (cd "$app" && "$PY" ../../manage.py makemessages -l zh_Hans --no-obsolete -v0)
done
"$PY" manage.py makemessages -l zh_Hans --no-obsolete -v0 "${ignores[@]}"
echo "catalogs updated; fill empty and fuzzy msgstr entries, then: make messages"
