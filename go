#!/usr/bin/env bash
# Dorpsplein's one entry point: sets up what is missing, then runs a task.
#
#   ./go serve      install (first time) and preview the site with comments
#   ./go test       install the test tools too and run every test
#   ./go --list     every task; ./go <task> --help for one task's options
#
# On a Debian machine it installs the system packages it needs (python3-venv,
# a font for share images, and Chromium, npm, Java, nginx and rsync for the
# tests) with apt-get, as root or through sudo;
# the Python packages go into .venv/ and the pinned npm test tools (axe-core,
# vnu-jar, lighthouse) into node_modules/, both inside this folder.
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '%s\n' "$*" >&2; }

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      say "Missing system packages: $*. Install them as root: apt-get install $*"
      exit 1
    fi
  fi
  say "Installing system packages: $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  say "Dorpsplein needs Python 3.11 or newer as '$python' (set PYTHON=/path/to/python3.11)."
  exit 1
fi

wants_tests=0
case "${1:-}" in
  test|lint|screenshots|audit|bench|bench-comments) wants_tests=1 ;;
esac

# 1. System packages.
missing=()
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  missing+=("python3-venv")
fi
# Share images are drawn with a system font (DejaVu Sans Bold by default).
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] \
   && [ ! -f /usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf ]; then
  missing+=("fonts-dejavu-core")
fi
if [ "$wants_tests" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  missing+=("chromium")
fi
if [ "$wants_tests" = 1 ] && ! command -v npm >/dev/null 2>&1; then
  missing+=("nodejs" "npm")
fi
# The hosting tests run Debian's nginx (with brotli_static) and rsync.
if [ "$wants_tests" = 1 ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  missing+=("nginx")
fi
if [ "$wants_tests" = 1 ] && [ ! -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ]; then
  missing+=("libnginx-mod-http-brotli-static")
fi
if [ "$wants_tests" = 1 ] && ! command -v rsync >/dev/null 2>&1; then
  missing+=("rsync")
fi
# bench-comments loads the comment server with wrk.
if [ "${1:-}" = bench-comments ] && ! command -v wrk >/dev/null 2>&1; then
  missing+=("wrk")
fi
# The Nu HTML Checker (vnu.jar) runs on Java.
if [ "$wants_tests" = 1 ] && ! command -v java >/dev/null 2>&1; then
  missing+=("default-jre-headless")
fi
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# 2. The virtual environment, reinstalled when pyproject.toml changes.
if [ ! -x .venv/bin/python ]; then
  say "Creating the virtual environment in .venv/"
  "$python" -m venv .venv
fi
extras=""
stamp=.venv/.dorpsplein-installed
if [ "$wants_tests" = 1 ]; then
  extras="[test]"
  stamp=.venv/.dorpsplein-installed-test
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "Installing Dorpsplein and its dependencies into .venv/ (first run takes a minute)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extras}"
  touch "$stamp"
fi

# 3. Browser-side test tools (axe-core, vnu-jar, lighthouse), pinned by
#    package-lock.json.
if [ "$wants_tests" = 1 ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    say "Installing the pinned browser test tools (npm ci)"
    npm ci --silent --no-audit --no-fund
    touch node_modules
  fi
fi

if [ $# -eq 0 ]; then
  set -- --list
fi
# "./go new --help": invoke would take --help as the title and write an
# article called "--help"; ask invoke for the task's help instead.
if [ $# -ge 2 ] && [ "${1#-}" = "$1" ]; then
  for arg in "${@:2}"; do
    if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then
      exec .venv/bin/invoke --help "$1"
    fi
  done
fi
exec .venv/bin/invoke "$@"
