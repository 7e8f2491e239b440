#!/usr/bin/env bash
# Install what is missing (including Chromium), then run the linter, the type checker and the
# test suite. Arguments are passed on to pytest:
#
#   bash scripts/test.sh                      # everything
#   bash scripts/test.sh -m "not browser"     # skip the browser tests
#   bash scripts/test.sh tests/test_demo_project.py -n 0
#
# All three checks run even when one fails; the exit code is non-zero if any failed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

export KEDRO_DISABLE_TELEMETRY=1
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

bash "$REPO_ROOT/scripts/setup.sh" --with-browser
export VIRTUAL_ENV="$REPO_ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
cd "$REPO_ROOT"

failed=()

# Lint only the folders that exist (git does not keep empty ones).
lint_paths=()
for path in kedro_run_report tests benchmarks; do
    if [ -e "$path" ]; then
        lint_paths+=("$path")
    fi
done
echo "[test] ruff check ${lint_paths[*]}"
ruff check "${lint_paths[@]}" || failed+=(ruff)

echo "[test] mypy"
mypy || failed+=(mypy)

echo "[test] pytest -n 2 $*"
python -m pytest -n 2 "$@" || failed+=(pytest)

if [ "${#failed[@]}" -gt 0 ]; then
    echo "[test] FAILED: ${failed[*]}" >&2
    exit 1
fi
# Nothing is printed after pytest's summary on success, so it stays the closing line.
