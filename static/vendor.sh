#!/bin/sh
# vendor.sh copies Leaflet from node_modules into site/vendor/leaflet, where
# the binary embeds it (go:embed), so the page loads it from us and never
# from a CDN. Run it after `npm ci --prefix static` whenever package.json
# changes Leaflet's version; vendor_test.go checks that the copy matches.
set -eu
cd "$(dirname "$0")"
src=node_modules/leaflet
dst=site/vendor/leaflet
if [ ! -f "$src/package.json" ]; then
	echo "vendor.sh: $src is missing; run npm ci --prefix static first" >&2
	exit 1
fi
rm -rf "$dst"
mkdir -p "$dst/images"
# The minified UMD build (window.L): a third of the size of the ESM source.
# Its sourceMappingURL comment is dropped so that no tool asks us for a
# map we do not ship.
sed '/^\/\/# sourceMappingURL=/d' "$src/dist/leaflet.js" >"$dst/leaflet.js"
cp "$src/dist/leaflet.css" "$src/LICENSE" "$dst/"
cp "$src/dist/images/"*.png "$dst/images/"
node -p "require('./$src/package.json').version" >"$dst/VERSION"
echo "vendored leaflet $(cat "$dst/VERSION") into $dst"
