#!/usr/bin/env bash
# make screenshots: the desktop client in demo mode under Xvfb, at
# 1366x768 and 1920x1080, each main screen captured from the X server
# (ImageMagick's import, so the OpenGL window and its menu bar are in the
# picture as a user sees them).
#
#   main      the demo's documents, the leader-signed decision selected,
#             its signatures panel
#   settings  the settings screen (Ctrl+,)
#   sign      the sign dialog (Ctrl+Shift+S)
#   english   the main window in English
#
# Output: screenshots/<size>-<screen>.png. Environment: SHOT_WAIT (seconds
# to let the demo start, default 25).
set -euo pipefail
cd "$(dirname "$0")/.."
out=screenshots
mkdir -p "$out"
wait_s=${SHOT_WAIT:-25}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -tags migrated_fynedo -o bin/vanthu ./cmd/vanthu

# shoot SIZE NAME LANG KEYS: a fresh X server and app (own HOME, so each
# run starts from default settings), KEYS sent with xdotool, then a capture.
display=90
shoot() {
  local size=$1 name=$2 lang=$3 keys=$4
  display=$((display + 1))
  local home=$tmp/home-$display
  mkdir -p "$home"
  Xvfb ":$display" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
  local xpid=$!
  pids+=("$xpid")
  sleep 1
  (
    export DISPLAY=":$display" HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" XDG_CACHE_HOME="$home/.cache"
    export VANTHU_WINDOW_SIZE="$size"
    if [ -n "$lang" ]; then
      # The language is a setting (Fyne's preferences file of the app).
      mkdir -p "$XDG_CONFIG_HOME/fyne/vn.vanthuso.vanthu"
      printf '{"ui.lang":"%s"}\n' "$lang" >"$XDG_CONFIG_HOME/fyne/vn.vanthuso.vanthu/preferences.json"
    fi
    exec bin/vanthu --demo
  ) >"$tmp/app-$display.log" 2>&1 &
  local apid=$!
  pids+=("$apid")
  sleep "$wait_s"
  export DISPLAY=":$display"
  local win
  win=$(xdotool search --sync --onlyvisible --name 'Văn Thư Số' | head -n 1)
  xdotool windowmove "$win" 0 0 windowsize "$win" "${size%x*}" "${size#*x}" windowactivate --sync "$win" || true
  sleep 1
  if [ -n "$keys" ]; then
    xdotool key --window "$win" $keys
    sleep 3
  fi
  import -window root "$out/$size-$name.png"
  echo "screenshots: $out/$size-$name.png"
  kill "$apid" "$xpid" 2>/dev/null || true
  wait "$apid" "$xpid" 2>/dev/null || true
}

for size in 1366x768 1920x1080; do
  shoot "$size" main "" ""
  shoot "$size" settings "" "ctrl+comma"
  shoot "$size" sign "" "ctrl+shift+s"
  shoot "$size" english en ""
done
