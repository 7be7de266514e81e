#!/usr/bin/env bash
# Makes the real Temporal server available to the project (`npm run temporal:server`, the cluster tests):
# builds the pinned server and its SQL schema tool with `go install` into the git-ignored .tools/bin folder as
# `temporal-server` and `temporal-sql-tool` (go install would name them `server` and `sql`). Skips what is there.
set -euo pipefail

VERSION="v1.29.1" # the dev server's version (Temporal CLI v1.5.1); its go.mod has no replace directives
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="$ROOT/.tools/bin"

# package path -> binary name in .tools/bin
declare -A BINARIES=(
  ["go.temporal.io/server/cmd/server"]="temporal-server"
  ["go.temporal.io/server/cmd/tools/sql"]="temporal-sql-tool"
)

missing=()
for pkg in "${!BINARIES[@]}"; do
  [ -x "$BIN_DIR/${BINARIES[$pkg]}" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "Temporal server: $BIN_DIR/temporal-server, $BIN_DIR/temporal-sql-tool"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
The Temporal server ($VERSION) is not installed and Go is not available to build it.
Either install Go (https://go.dev/dl/) and run this script again, put prebuilt \`temporal-server\` and
\`temporal-sql-tool\` binaries of $VERSION into $BIN_DIR (or set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH),
or skip the local cluster: point the platform at an existing Temporal cluster with TEMPORAL_ADDRESS=host:port
(and TEMPORAL_NAMESPACE), with the search attributes of common/search-attributes.ts registered (docs/deploy.md).
MSG
  exit 1
fi

mkdir -p "$BIN_DIR"
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT
for pkg in "${missing[@]}"; do
  name="${BINARIES[$pkg]}"
  echo "Building $name ($pkg@$VERSION) into $BIN_DIR (first build takes several minutes)..."
  if ! GOBIN="$build_dir" go install "$pkg@$VERSION"; then
    # Networks without the Go checksum database: modules still come from the proxy, verified by the server's go.sum.
    echo "go install failed; retrying with GOSUMDB=off (checksum database unreachable?)" >&2
    GOSUMDB=off GOBIN="$build_dir" go install "$pkg@$VERSION"
  fi
  mv "$build_dir/$(basename "$pkg")" "$BIN_DIR/$name"
done
"$BIN_DIR/temporal-server" --version
"$BIN_DIR/temporal-sql-tool" --version
