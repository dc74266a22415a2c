#!/usr/bin/env bash
# Installs signalbot from this checkout as a systemd service: builds the production bundle, writes
# /etc/systemd/system/signalbot.service with the real path of bun (wherever it is installed), creates
# /etc/signalbot/signalbot.env from .env.example when missing, checks the unit with systemd-analyze and
# enables it. Run as root from the checkout (e.g. /opt/signalbot): sudo deploy/install.sh
#
#   --bun PATH       the bun to run (default: $BUN, then bun on PATH, /usr/local/bin, /usr/bin, ~/.bun/bin)
#   --print-unit     print the unit this machine would get and exit (no root needed, nothing written)
#   --unit-dir DIR   where the unit goes (default /etc/systemd/system)
#   --env-file FILE  the configuration the unit reads (default /etc/signalbot/signalbot.env)
#   --no-build       skip `bun install` and `bun run build` (the bundle must exist)
#   --no-enable      write and check the unit, but do not enable it
set -euo pipefail

APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEMPLATE="$APP_DIR/deploy/signalbot.service.in"
UNIT_DIR=/etc/systemd/system
ENV_FILE=/etc/signalbot/signalbot.env
# Where a bun that lives in a home directory is copied: the service cannot read home directories.
SYSTEM_BUN=/usr/local/lib/signalbot/bun
BUN_ARG="${BUN:-}"
PRINT=0
BUILD=1
ENABLE=1

say() { printf '%s\n' "$*"; }
die() {
  printf 'install: %s\n' "$*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --bun) BUN_ARG="${2:?--bun needs a path}"; shift 2 ;;
    --print-unit) PRINT=1; shift ;;
    --unit-dir) UNIT_DIR="${2:?--unit-dir needs a directory}"; shift 2 ;;
    --env-file) ENV_FILE="${2:?--env-file needs a path}"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-enable) ENABLE=0; shift ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option \"$1\" (see --help)" ;;
  esac
done

# 1. Which bun: the first that exists and runs.
find_bun() {
  local candidates=()
  [ -n "$BUN_ARG" ] && candidates+=("$BUN_ARG")
  command -v bun >/dev/null 2>&1 && candidates+=("$(command -v bun)")
  candidates+=(/usr/local/bin/bun /usr/bin/bun)
  [ -n "${SUDO_USER:-}" ] && candidates+=("$(getent passwd "$SUDO_USER" | cut -d: -f6)/.bun/bin/bun")
  candidates+=("$HOME/.bun/bin/bun")
  for b in "${candidates[@]}"; do
    if [ -x "$b" ] && "$b" --version >/dev/null 2>&1; then
      printf '%s\n' "$b"
      return 0
    fi
  done
  return 1
}
BUN_FOUND="$(find_bun)" || die "bun not found: install it (npm install -g bun@1.4.5, or https://bun.sh) or pass --bun PATH"
[ -n "$BUN_ARG" ] && [ "$BUN_FOUND" != "$BUN_ARG" ] && die "--bun $BUN_ARG is not an executable bun"
BUN_REAL="$(readlink -f "$BUN_FOUND")"

# 2. The path the unit runs. A bun under /home, /root or /run/user (the official installer puts it in ~/.bun/bin)
#    is copied to a system path: ProtectHome= hides those directories from the service.
HOME_DIRS="${HOME_DIRS:-/home /root /run/user}" # what ProtectHome= hides (overridable for the tests)
in_home() {
  local d
  for d in $HOME_DIRS; do
    case "$1" in "$d"/*) return 0 ;; esac
  done
  return 1
}
if in_home "$BUN_FOUND" || in_home "$BUN_REAL"; then
  BUN_EXEC="$SYSTEM_BUN"
else
  BUN_EXEC="$BUN_FOUND"
fi
in_home "$APP_DIR/" && die "the checkout is in a home directory ($APP_DIR), which the service cannot read: clone it to /opt/signalbot"

render_unit() {
  sed -e "s|@BUN@|$BUN_EXEC|g" -e "s|@APP_DIR@|$APP_DIR|g" -e "s|@ENV_FILE@|$ENV_FILE|g" "$TEMPLATE"
}

if [ "$PRINT" = 1 ]; then
  render_unit
  exit 0
fi

[ "$(id -u)" = 0 ] || die "run as root: sudo $0"
say "signalbot: installing from $APP_DIR with bun $("$BUN_FOUND" --version) ($BUN_FOUND)"

if [ "$BUN_EXEC" = "$SYSTEM_BUN" ]; then
  install -D -m 0755 "$BUN_REAL" "$SYSTEM_BUN"
  say "  copied $BUN_REAL to $SYSTEM_BUN (the service cannot read home directories; rerun this script after upgrading bun)"
fi

# 3. The bundle, built as root: the service only reads it.
if [ "$BUILD" = 1 ]; then
  (cd "$APP_DIR" && "$BUN_FOUND" install --frozen-lockfile --production && "$BUN_FOUND" run build)
fi
[ -f "$APP_DIR/dist/signalbot.js" ] || die "no bundle at $APP_DIR/dist/signalbot.js (run without --no-build)"
chmod -R a+rX "$APP_DIR/dist"

# 4. The configuration, readable by root only (systemd reads it before dropping privileges).
if [ ! -f "$ENV_FILE" ]; then
  install -D -m 0600 "$APP_DIR/.env.example" "$ENV_FILE"
  say "  created $ENV_FILE from .env.example: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID there"
  say "  (or let the helper find them: cd $APP_DIR && bun run telegram-setup -- --env $ENV_FILE)"
else
  say "  kept $ENV_FILE"
fi

# 5. The unit, checked before systemd sees it.
mkdir -p "$UNIT_DIR"
UNIT="$UNIT_DIR/signalbot.service"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
render_unit >"$STAGE/signalbot.service" # verify infers the unit type from the name
if command -v systemd-analyze >/dev/null 2>&1; then
  systemd-analyze verify "$STAGE/signalbot.service" ||
    die "systemd-analyze verify rejected the unit (above); nothing installed"
fi
install -m 0644 "$STAGE/signalbot.service" "$UNIT"
say "  wrote $UNIT (ExecStart=$BUN_EXEC $APP_DIR/dist/signalbot.js)"
if command -v systemd-analyze >/dev/null 2>&1; then
  say "  $(systemd-analyze security --offline=true "$UNIT" 2>/dev/null | tail -1 | sed 's/^→ //')"
fi

if [ "$ENABLE" = 1 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable signalbot >/dev/null
  say "  enabled signalbot.service; start it with: systemctl start signalbot"
else
  say "  not enabled (systemd is not running here, or --no-enable)"
fi
say "Logs: journalctl -u signalbot -f    Health: curl -s 127.0.0.1:8787/healthz"
