#!/usr/bin/env bash
# Install what is missing (including Chromium), then run the linter, the type checker and the
# test suite. Arguments are passed on to pytest:
#
#   bash scripts/test.sh                      # everything
#   bash scripts/test.sh -m "not browser"     # skip the browser tests
#   bash scripts/test.sh tests/test_demo_project.py -n 0
#
# Without arguments, the integration tests (real `kedro run`) then run a second time against
# the lowest Kedro that pyproject.toml accepts, in .venv-kedro-min (same test extra, Kedro
# pinned). `bash scripts/test.sh --kedro-min <pytest args>` runs only that pass, with your
# arguments instead of `-m integration`.
#
# All checks run even when one fails; the exit code is non-zero if any failed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

export KEDRO_DISABLE_TELEMETRY=1
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

# The lowest Kedro the package accepts, read from its `kedro>=X` requirement.
KEDRO_MIN="$(grep -oE '"kedro>=[0-9][0-9.]*' "$REPO_ROOT/pyproject.toml" | head -n1 | cut -d= -f2)"
while [ "$(tr -cd . <<<"$KEDRO_MIN" | wc -c)" -lt 2 ]; do
    KEDRO_MIN="$KEDRO_MIN.0" # 1.0 -> 1.0.0, the release pip installs either way
done
KEDRO_MIN_VENV="$REPO_ROOT/.venv-kedro-min"

failed=()

# Run pytest in a venv: `pytest_in <venv> <args>`.
pytest_in() {
    local venv="$1"
    shift
    echo "[test] $(basename "$venv"): pytest -n 2 $*"
    VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" "$venv/bin/python" -m pytest -n 2 "$@"
}

kedro_min_pass() {
    bash "$REPO_ROOT/scripts/setup.sh" --venv="$KEDRO_MIN_VENV" --kedro="$KEDRO_MIN"
    pytest_in "$KEDRO_MIN_VENV" "$@" || failed+=("pytest (kedro $KEDRO_MIN)")
}

cd "$REPO_ROOT"
if [ "${1:-}" = "--kedro-min" ]; then
    shift
    if [ "$#" -eq 0 ]; then
        set -- -m integration
    fi
    kedro_min_pass "$@"
    if [ "${#failed[@]}" -gt 0 ]; then
        echo "[test] FAILED: ${failed[*]}" >&2
        exit 1
    fi
    exit 0
fi

bash "$REPO_ROOT/scripts/setup.sh" --with-browser
export VIRTUAL_ENV="$REPO_ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"

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

pytest_in "$VIRTUAL_ENV" "$@" || failed+=(pytest)

if [ "$#" -eq 0 ]; then
    kedro_min_pass -m integration
fi

if [ "${#failed[@]}" -gt 0 ]; then
    echo "[test] FAILED: ${failed[*]}" >&2
    exit 1
fi
# Nothing is printed after pytest's summary on success, so it stays the closing line.
