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
# Then the exchange, at 1366x768, on the demo's local vanthu-server: the
# clerk of Sở Tài chính sends documents to UBND tỉnh Nghệ An with vanthuctl
# sync from the folder the desktop client keeps for that user (one valid,
# one khẩn and unsigned, one to an unknown agency, refused), and UBND's
# client receives them:
#
#   inbox     Văn bản đến with the documents, the first one opened
#   outbox    Văn bản đi of Sở Tài chính's clerk: delivered, refused
#   send      the Gửi văn bản dialog
#   login     the demo's sign-in (one button per demo user)
#   login-token  the sign-in with a token (address, token, certificate, PIN)
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

go build -tags migrated_fynedo -o bin/ ./cmd/vanthu ./cmd/vanthu-server ./cmd/vanthuctl

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

# The exchange. One X server, one demo folder; UBND's window first (it
# starts the demo server), then vanthuctl as Sở Tài chính's clerk, then
# Sở Tài chính's window on the same cache folder.
display=$((display + 1))
home=$tmp/home-x
demo=$tmp/demo
mkdir -p "$home"
Xvfb ":$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
pids+=("$!")
sleep 1
export DISPLAY=":$display"
appenv=(env HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" XDG_CACHE_HOME="$home/.cache" VANTHU_WINDOW_SIZE=1366x768)
"${appenv[@]}" bin/vanthu --demo --demo-dir "$demo" --demo-user van-thu-ubnd >"$tmp/app-ubnd.log" 2>&1 &
ubnd=$!
pids+=("$ubnd")
for _ in $(seq 120); do [ -s "$demo/server/addr" ] && break; sleep 1; done
sleep 5
server="https://$(cat "$demo/server/addr")"
# The desktop client's folder of a demo user: nguoi-dung/<id>-<12 hex of
# the id's SHA-256> (sync/profile.Key), the layout vanthuctl sync uses.
userdir() { printf '%s/nguoi-dung/%s-%s' "$demo" "$1" "$(printf '%s' "$1" | sha256sum | cut -c1-12)"; }
stc=$(userdir van-thu-stc)
export SOFTHSM2_CONF="$demo/pki/softhsm2.conf" VANTHU_PIN=123456
ctl=(bin/vanthuctl)
"${ctl[@]}" sync login --server "$server" --ca "$demo/server/tls/cert.pem" --cache "$stc" \
  --module /usr/lib/softhsm/libsofthsm2.so --token "So Tai chinh" >/dev/null
"${ctl[@]}" sync send --cache "$stc" --to 000.00.00.H41 --number 12 --notation BC-STC --type "Báo cáo" \
  --subject "Báo cáo tình hình thực hiện dự toán ngân sách nhà nước quý III năm 2026" \
  --signer-name "Lê Thị Hoa" --signer-position "Giám đốc" "$demo/da-ky/van-ban.phat-hanh.pdf" >/dev/null
"${ctl[@]}" sync send --cache "$stc" --to 000.00.00.H41 --number 15 --notation STC-QLNS --type "Công văn" \
  --subject "Về việc rà soát kinh phí chuyển đổi số năm 2027" --priority khẩn \
  --signer-name "Lê Thị Hoa" --signer-position "Giám đốc" "$demo/tai-lieu/phu-luc.pdf" >/dev/null
"${ctl[@]}" sync send --cache "$stc" --to 000.00.09.H99 --number 16 --notation STC-VP --type "Công văn" \
  --subject "Về việc cử cán bộ dự tập huấn văn thư điện tử" \
  --signer-name "Lê Thị Hoa" --signer-position "Giám đốc" "$demo/tai-lieu/ban-chup.pdf" >/dev/null
"${ctl[@]}" sync run --once --cache "$stc" >/dev/null || true
unset SOFTHSM2_CONF VANTHU_PIN
sleep 8

front() {
  win=$(xdotool search --sync --onlyvisible --name 'Văn Thư Số' | head -n 1)
  xdotool windowmove "$win" 0 0 windowsize "$win" 1366 768 windowactivate --sync "$win" || true
  sleep 1
}
shot() { import -window root "$out/1366x768-$1.png"; echo "screenshots: $out/1366x768-$1.png"; }
front
# Toolbar buttons at 1366x768: Văn bản đến, Văn bản đi, Gửi văn bản.
xdotool mousemove 350 88 click 1; sleep 3
xdotool mousemove 300 225 click 1; sleep 3
shot inbox
xdotool mousemove 620 88 click 1; sleep 3
shot send
xdotool mousemove 648 696 click 1; sleep 2 # Hủy
# Văn bản → Đăng nhập máy chủ…: the demo's users, then another token.
xdotool mousemove 85 14 click 1; sleep 2
xdotool mousemove 130 167 click 1; sleep 3
shot login
xdotool mousemove 473 500 click 1; sleep 5
shot login-token
kill "$ubnd" 2>/dev/null || true
wait "$ubnd" 2>/dev/null || true

"${appenv[@]}" bin/vanthu --demo --demo-dir "$demo" --demo-user van-thu-stc >"$tmp/app-stc.log" 2>&1 &
stcapp=$!
pids+=("$stcapp")
sleep "$wait_s"
front
xdotool mousemove 480 88 click 1; sleep 3
xdotool mousemove 300 178 click 1; sleep 3
shot outbox
kill "$stcapp" 2>/dev/null || true
wait "$stcapp" 2>/dev/null || true
