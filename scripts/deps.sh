#!/usr/bin/env bash
# Installs what building and testing Văn Thư Số needs on Debian/Ubuntu.
# Idempotent: packages already present are not touched, apt is not even
# updated when nothing is missing. Go modules are downloaded from the proxy.
set -euo pipefail

packages=(
  gcc pkg-config            # cgo (PKCS#11 via miekg/pkcs11)
  softhsm2 opensc           # the software token used by tests and the demo
  libnss3-tools             # certutil: NSS trust database for pdfsig
  poppler-utils qpdf mupdf-tools  # independent verifiers: pdfsig, pdftoppm, qpdf, mutool
  python3-openpyxl          # independent reader of the exported XLSX registers (edoc/report)
  openssl                   # cross-checks of CMS and timestamps
  fonts-liberation2         # source of the embedded stamp font (already vendored in assets/)
  gcc-mingw-w64-x86-64      # make cross: Windows builds
  time                      # /usr/bin/time for peak RSS in make bench
  postgresql                # server/store/pg tests start a real PostgreSQL (initdb, pg_ctl) in a temp dir
  xmlsec1                   # independent verifier of the edXML header signatures (edoc/edxml)
  libgl1-mesa-dev xorg-dev libxkbcommon-dev  # Fyne (cgo, OpenGL, X11) for the desktop client
  xvfb xauth xdotool imagemagick             # end-to-end tests and screenshots of the client
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go 1.26 or newer is required (https://go.dev/doc/install); 'go' is not on PATH" >&2
  exit 1
fi

cd "$(dirname "$0")/.."
go mod download
