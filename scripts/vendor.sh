#!/usr/bin/env bash
# Fetch the browser libraries into static/vendor/ from the npm registry (run by hand, then commit).
# Nothing is fetched at run time: the server only ever serves these committed copies.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=static/vendor
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# name version file-inside-package destination-folder
PACKAGES=(
  "socket.io-client 4.8.4 dist/socket.io.min.js socket.io"
  "qr-scanner 1.4.2 qr-scanner.umd.min.js qr-scanner"
  "qr-scanner 1.4.2 qr-scanner-worker.min.js qr-scanner"
)

rm -f "$VENDOR"/*/VERSION
for entry in "${PACKAGES[@]}"; do
  read -r name version file dest <<<"$entry"
  (cd "$WORK" && npm pack --silent "$name@$version" >/dev/null)
  tarball=$(ls "$WORK"/*.tgz)
  mkdir -p "$WORK/x" "$VENDOR/$dest"
  tar -xzf "$tarball" -C "$WORK/x"
  cp "$WORK/x/package/$file" "$VENDOR/$dest/"
  cp "$WORK/x/package/LICENSE" "$VENDOR/$dest/LICENSE"
  printf '%s %s from the npm registry (%s)\n' "$name" "$version" "$file" >> "$VENDOR/$dest/VERSION"
  rm -rf "$WORK/x" "$tarball"
done
echo "Vendored into $VENDOR:"
find "$VENDOR" -type f | sort
