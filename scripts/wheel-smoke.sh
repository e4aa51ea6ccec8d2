#!/usr/bin/env bash
# A wheel built from the repo, installed into a clean venv WITHOUT extras, must run the product:
# no moto, no test tools. `residency demo` there says in one line how to get the simulated clouds.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PYTHON" -m pip wheel -q --no-deps -w "$work/dist" . 2>&1 | grep -v '^WARNING: Location' || true
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q -c constraints.txt "$work"/dist/*.whl 2>&1 \
  | grep -v '^WARNING: Location' || true
bin="$work/venv/bin"
cd "$work"   # away from the source tree, so only the installed wheel can be imported
"$bin/residency" --help >/dev/null
lookup="$("$bin/residency" kb lookup aws:eu-west-2)"
grep -q "United Kingdom" <<<"$lookup"
checks="$("$bin/residency" checks list)"
grep -q "storage-outside-allowed" <<<"$checks"
"$bin/residency" checks list | head -1 >/dev/null   # a reader that stops early: no error
if "$bin/python" -c "import moto" 2>/dev/null; then
  echo "wheel smoke: moto was installed without the [demo] extra" >&2; exit 1
fi
set +e
err="$("$bin/residency" demo --output-dir "$work/out" 2>&1 >/dev/null)"; code=$?
set -e
if [ "$code" -ne 2 ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || ! grep -q "\[demo\]" <<<"$err"; then
  echo "wheel smoke: residency demo without the extra: exit $code, stderr: $err" >&2; exit 1
fi
echo "wheel smoke: ok (help, kb lookup, checks list; demo without extra: exit 2, one line)"
