#!/usr/bin/env bash
# Container smoke test without a Docker engine: the Dockerfile's install steps in a clean
# virtualenv, then `notifier run` with its defaults (SQLite in data/, no SMTP) in an empty
# directory. Its sources are the bundled fixture site plus one unreachable address (as kl.dk is
# from CI): the run must become healthy, record the failure, and exit 0 on SIGTERM.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The Dockerfile's steps: a virtualenv, `pip install .[postgres]`, templates/ and config/ beside.
python3 -m venv "$work/venv"
# (grep: the local package mirrors warn about every name they do not carry)
"$work/venv/bin/pip" install --quiet "$repo[postgres]" 2> >(grep -v "is ignored" >&2)
mkdir "$work/app"
cp -r "$repo/templates" "$repo/config" "$work/app/"
cd "$work/app"
bin="$work/venv/bin"

free_port() { "$bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The fixture site, from the installed package, on 127.0.0.1.
site_port=$(free_port)
"$bin/python" -c '
import sys, threading
from notifier.demo_site import SiteServer
SiteServer(port=int(sys.argv[1])).start()
threading.Event().wait()
' "$site_port" &
pids+=($!)

web_port=$(free_port)
{
  echo "[web]"
  echo "port = $web_port"
  echo "[fetch]"
  echo "retries = 0"
  echo "per_host_delay = 0"
  echo 'allowed_private_networks = ["127.0.0.0/8"]'
  sed "s|{base}|http://127.0.0.1:$site_port|" "$("$bin/python" -c 'from notifier.demo_site import SITE; print(SITE.parent / "sources.toml")')"
  echo "[[sources]]"
  echo 'id = "unreachable"'
  echo 'kkr = "hovedstaden"'
  echo 'kind = "listing"'
  echo 'url = "http://127.0.0.1:9/politik/kkr/kkr-hovedstaden/nyheder/"'
} > smoke.toml
export NOTIFIER_CONFIG="$work/app/smoke.toml"

"$bin/notifier" run > run.log 2>&1 &
run_pid=$!
pids+=("$run_pid")

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$run_pid" 2>/dev/null; then
      echo "smoke: notifier run exited while waiting for $what" >&2; cat run.log >&2; exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "smoke: timed out waiting for $what" >&2; cat run.log >&2; exit 1
    fi
    sleep 0.5
  done
}
wait_for 60 "notifier healthcheck" "$bin/notifier" healthcheck
wait_for 60 "a poll of the fixture site" grep -q '"message": "polled"' run.log
wait_for 60 "the unreachable source's failure" grep -q '"source": "unreachable"' run.log
test -f data/notifier.db

kill -TERM "$run_pid"
code=0
wait "$run_pid" || code=$?
if [ "$code" -ne 0 ]; then
  echo "smoke: notifier run exited $code after SIGTERM" >&2; cat run.log >&2; exit 1
fi
grep -q '"message": "stopped"' run.log
echo "smoke: ok (healthy, polled, recorded a failure, clean exit on SIGTERM)"
