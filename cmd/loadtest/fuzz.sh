#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME (default 60s) each, then copies the
# corpus each run built into the package's testdata/fuzz/, so `go test`
# replays it as seeds from then on. Not part of CI's run: about 10 minutes.
#
#   bash cmd/loadtest/fuzz.sh            # 60 s a target
#   FUZZTIME=10s bash cmd/loadtest/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzztime=${FUZZTIME:-60s}
cache=$(go env GOCACHE)/fuzz/github.com/incidentmap/incidentmap

targets=(
  "geo FuzzDecodeIncidents"      # GeoJSON loading
  "geo FuzzDecodeSites"          # sites, by the same scanner
  "geo FuzzScanner"              # the loader's JSON scanner, against encoding/json
  "geo FuzzSWAR"                 # its eight-bytes-at-a-time searches
  "geo FuzzParseTime"            # RFC 3339 times, against time.Parse
  "geo FuzzValidators"           # ids, event types, countries, against their regexps
  "geo FuzzParseBound"           # bounding boxes, for the API and the commands
  "geo FuzzCSVRows"              # our CSV, as import reads it: round trip through the export's writer
  "geo FuzzACLEDRows"            # ACLED-style CSV: what it makes always loads
  "geo FuzzDetectFormat"         # which format an import reads a file as
  "geo FuzzSearchWords"          # the words of a search (q)
  "geo FuzzContainsFold"         # their case-folded match, against lowering and searching
  "api FuzzParseItems"           # query parameters of /items
  "api FuzzParseDatetime"        # datetime instants and intervals
  "api FuzzCanonicalItems"       # cache keys: alike requests share one, others never
  "api FuzzSplitHeaders"         # headers stored with a cached page
  "api FuzzParseTile"            # tile paths
  "api FuzzParseTileLang"        # a tile's lang: en|ar, ar for the basemap alone
  "api FuzzHandler"              # whole requests: never a 5xx
  "api FuzzPage"                 # view parameters of / and /embed: never echoed into HTML
  "tiles/basemap FuzzDecode"     # the basemap's compact format
  "tiles/basemap FuzzDecodePlaces" # its places
  "tiles/basemap FuzzDecodeWater"  # its rivers and lakes
  "tiles/arabic FuzzShape"       # Arabic shaping and drawing of any text
)
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "== $pkg $name ($fuzztime)"
  go test "./$pkg" -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime"
  if [ -d "$cache/$pkg/$name" ]; then
    mkdir -p "$pkg/testdata/fuzz/$name"
    cp -n "$cache/$pkg/$name"/* "$pkg/testdata/fuzz/$name/" 2>/dev/null || true
  fi
done
echo "corpus: $(find . -path '*/testdata/fuzz/*' -type f | wc -l) files in testdata/fuzz"
