#!/usr/bin/env bash
# Makes `docker compose` available for checking temporal/docker-compose.yml where the Docker CLI has no
# compose plugin: builds Compose v2 with Go into .tools/docker/cli-plugins (use DOCKER_CONFIG=.tools/docker).
set -euo pipefail

VERSION="v2.29.7"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PLUGIN_DIR="$ROOT/.tools/docker/cli-plugins"

if docker compose version >/dev/null 2>&1; then echo "docker compose: available"; exit 0; fi
if [ -x "$PLUGIN_DIR/docker-compose" ]; then echo "docker compose: $PLUGIN_DIR/docker-compose"; exit 0; fi
if ! command -v docker >/dev/null 2>&1; then echo "docker CLI not found: install it to check the compose file" >&2; exit 1; fi
if ! command -v go >/dev/null 2>&1; then echo "Go not found: install the Docker Compose plugin your usual way" >&2; exit 1; fi

mkdir -p "$PLUGIN_DIR"
build="$(mktemp -d)"
echo "Building Docker Compose $VERSION (a few minutes the first time)..."
GOBIN="$build" go install "github.com/docker/compose/v2/cmd@$VERSION" || GOSUMDB=off GOBIN="$build" go install "github.com/docker/compose/v2/cmd@$VERSION"
mv "$build/cmd" "$PLUGIN_DIR/docker-compose"
rm -rf "$build"
DOCKER_CONFIG="$ROOT/.tools/docker" docker compose version
