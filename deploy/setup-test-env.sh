#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK. Safe to run again.
#  - promtool (Debian package "prometheus") checks the /metrics exposition;
#  - chromium runs the CORS check in a real browser; nginx-light is the forwarding benchmark's baseline, wrk its load;
#  - openssl makes the throw-away certificates of the TLS tests, curl is their real HTTPS client;
#  - systemd-analyze (systemd) verifies the unit in deploy/systemd and measures its exposure, docker-compose
#    checks the Compose files in deploy/docker with its own "config", kubectl (kubernetes-client) renders the
#    Kustomize overlays in deploy/kubernetes (kustomize 4+ needed: an older kubectl is reported and skipped);
#  - the npm clients (kubo-rpc-client, ipfs-only-hash, @nftstorage/ipfs-cluster) are real
#    third-party implementations the tests check both sides of the wire against.
# Tests that need one of these skip with a visible notice when it is missing, so this step
# is what turns those notices into real checks.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }; then
      echo "setup: NOTICE: installing the Debian package prometheus failed; the promtool and Prometheus checks will be skipped" >&2
    fi
  else
    echo "setup: promtool missing and apt-get unavailable (not root?); the promtool check will be skipped" >&2
  fi
fi

for tool in chromium:chromium nginx:nginx-light wrk:wrk openssl:openssl curl:curl systemd-analyze:systemd docker-compose:docker-compose kubectl:kubernetes-client; do
  command_name=${tool%%:*}
  package=${tool#*:}
  if ! command -v "$command_name" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$command_name" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null; }; then
        echo "setup: NOTICE: installing the Debian package $package failed; the checks that need $command_name will be skipped" >&2
      fi
    else
      echo "setup: $command_name missing and apt-get unavailable (not root?); the checks that need it will be skipped" >&2
    fi
  fi
done

if command -v npm >/dev/null 2>&1; then
  npm ci --prefix Gateway.Tests/js --no-audit --no-fund --loglevel=error \
    || echo "setup: NOTICE: npm ci failed; the tests will try once more, else skip the JavaScript client checks" >&2
else
  echo "setup: npm missing; the third-party JavaScript client tests will be skipped" >&2
fi
