#!/usr/bin/env bash
# The official MCP Python SDK, in a virtual environment of its own, for the tests that drive
# `sleuth mcp` with a real client (tests/e2e/mcp.rs finds it at target/mcp-venv, or wherever
# SLEUTH_MCP_PYTHON points). Re-running is cheap: nothing is installed when the pinned
# requirements are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/mcp-venv
req=tests/mcp/requirements.txt
if [ -x "$venv/bin/python" ] && cmp -s "$req" "$venv/requirements.txt"; then
  exit 0
fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "python3 venv support not found: installing Debian's python3-venv"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq python3-venv
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
cp "$req" "$venv/requirements.txt"
echo "MCP Python SDK installed in $venv"
