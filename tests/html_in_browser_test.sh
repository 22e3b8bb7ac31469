#!/usr/bin/env bash
# A rendered document opens in a real browser: a GoogleTest test writes the HTML to the file
# named by an environment variable, headless Chromium screenshots it, and the PNG must show
# text (a blank or broken page has next to no dark pixels) and, with --colour, coloured
# pixels (the report's SVG charts).
#   html_in_browser_test.sh <test binary> <gtest filter> <env var> [--colour]
# e.g. contract-svc's agreement (SLA_AGREEMENT_HTML_OUT) and reporting-svc's compliance report
# (SLA_REPORT_HTML_OUT).
set -euo pipefail
test_binary=$1
filter=$2
env_var=$3
want_colour=${4:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium is not installed (scripts/test installs it)"; exit 1; }

env "$env_var=$out/page.html" "$test_binary" --gtest_filter="$filter" >"$out/test.log" 2>&1 \
  || { tail -20 "$out/test.log"; exit 1; }
[ -s "$out/page.html" ] || { echo "no HTML was written"; exit 1; }

timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$out/profile" --window-size=1200,1600 \
  --screenshot="$out/page.png" "file://$out/page.html" >"$out/chromium.log" 2>&1 || true
[ -s "$out/page.png" ] || { tail -20 "$out/chromium.log"; echo "no screenshot"; exit 1; }

python3 - "$out/page.png" "$want_colour" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
want_colour = sys.argv[2] == "--colour"
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height, bpp = 8, b"", 0, 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, color = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and color in (2, 6), f"unexpected PNG format {depth}/{color}"
        bpp = 3 if color == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
dark = colour = 0
for y in range(height):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):  # undo the PNG row filter
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    dark += sum(1 for x in range(0, stride, bpp) if line[x] + line[x + 1] + line[x + 2] < 384)
    colour += sum(1 for x in range(0, stride, bpp)
                  if max(line[x:x + 3]) - min(line[x:x + 3]) > 80)
    prev = line
share = dark / (width * height)
print(f"{width}x{height}, dark pixels {share:.2%}, coloured {colour / (width * height):.2%}")
assert 0.01 < share < 0.5, "the page looks blank (or all dark)"
if want_colour:
    assert colour / (width * height) > 0.002, "no coloured pixels: the charts did not render"
PY
echo "agreement renders in the browser"
