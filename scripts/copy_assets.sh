#!/usr/bin/env bash
# Copy the front-end packages installed by `npm ci` into static/vendor/ (ignored by git), with
# their source maps, so every page is served from our own server (no CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=static/vendor
rm -rf "$dest"
mkdir -p "$dest/bootstrap" "$dest/bootstrap-icons" "$dest/echarts"
cp node_modules/bootstrap/dist/css/bootstrap.min.css* "$dest/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* "$dest/bootstrap/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dest/bootstrap-icons/"
cp -r node_modules/bootstrap-icons/font/fonts "$dest/bootstrap-icons/"
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts/"
[ -f node_modules/echarts/dist/echarts.min.js.map ] && cp node_modules/echarts/dist/echarts.min.js.map "$dest/echarts/" || true
echo "assets copied to $dest"
