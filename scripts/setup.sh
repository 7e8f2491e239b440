#!/usr/bin/env bash
# Install what the project needs, skipping whatever is already there.
#
#   bash scripts/setup.sh                  # Graphviz, .venv, the package with its test extras
#   bash scripts/setup.sh --with-browser   # the same, plus Chromium for the browser tests
#   bash scripts/setup.sh --venv=.venv-kedro-min --kedro=1.0.0
#                                          # another venv: the same extras, with that Kedro
#
# Safe to run again: system packages are installed only when missing, the venv is created only
# when missing, and pip runs only when pyproject.toml (or the Kedro pin) changed since the last
# install. PYTHON names the interpreter the venv is made from (default: python3).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
KEDRO_PIN=""
PYTHON="${PYTHON:-python3}"

WITH_BROWSER=0
for arg in "$@"; do
    case "$arg" in
        --with-browser) WITH_BROWSER=1 ;;
        --venv=?*)
            VENV="${arg#--venv=}"
            # A relative path is relative to the repository, wherever the script is run from.
            [[ "$VENV" = /* ]] || VENV="$REPO_ROOT/$VENV"
            ;;
        --kedro=?*) KEDRO_PIN="${arg#--kedro=}" ;;
        -h | --help)
            sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "setup.sh: unknown option '$arg' (try --help)" >&2
            exit 2
            ;;
    esac
done

export KEDRO_DISABLE_TELEMETRY=1
export DEBIAN_FRONTEND=noninteractive

log() { echo "[setup] $*"; }

# --- system packages (Debian/Ubuntu) ------------------------------------------------------
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo env DEBIAN_FRONTEND=noninteractive)
    fi
fi

apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "setup.sh: please install these system packages yourself: $*" >&2
        exit 1
    fi
    if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
        echo "setup.sh: need root (or sudo) to install: $*" >&2
        exit 1
    fi
    log "apt-get update"
    "${SUDO[@]}" apt-get update -qq
    log "apt-get install $*"
    "${SUDO[@]}" apt-get install -y -qq "$@"
}

missing=()
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    missing+=(python3 python3-venv)
# Debian's own python3 ships without venv/ensurepip; they come with python3-venv.
elif ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
if ! command -v dot >/dev/null 2>&1; then
    missing+=(graphviz)
fi
if [ "$WITH_BROWSER" -eq 1 ] && ! command -v chromium >/dev/null 2>&1 \
    && ! { [ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ]; }; then
    missing+=(chromium)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
fi

HASH_FILE="$VENV/.installed-hash"

# --- virtual environment ------------------------------------------------------------------
# A venv whose interpreter no longer runs (e.g. Python was upgraded underneath it) is rebuilt.
if [ -d "$VENV" ] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    log "removing broken virtual environment $VENV"
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
fi

# --- the package, editable, with its test extras ----------------------------------------
# With --kedro, the same extras are installed with Kedro pinned; pip then picks the
# kedro-datasets and kedro-viz releases that declare support for that Kedro.
pins=()
if [ -n "$KEDRO_PIN" ]; then
    pins+=("kedro==$KEDRO_PIN")
fi
wanted_hash="$( (cat "$REPO_ROOT/pyproject.toml"; [ -z "$KEDRO_PIN" ] || echo "$KEDRO_PIN") \
    | sha256sum | cut -d' ' -f1)"
installed_hash="$(cat "$HASH_FILE" 2>/dev/null || true)"
if [ "$wanted_hash" != "$installed_hash" ] \
    || ! "$VENV/bin/python" -c 'import importlib.metadata as m; m.version("kedro-run-report")' \
        >/dev/null 2>&1; then
    log "installing the package and its test dependencies into $VENV ${pins[*]:-}"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    (cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -e '.[test]' "${pins[@]}")
    echo "$wanted_hash" >"$HASH_FILE"
else
    log "dependencies up to date (pyproject.toml unchanged since the last install)"
fi

# --- kedro-mlflow, for one integration test only -----------------------------------------
# Its metadata asks for the full `mlflow` distribution (a server, SQL stores, plotting), and
# once installed its hook joins every `kedro run` of the environment and opens an MLflow run.
# It works with the `mlflow-skinny` of the test extra, so it goes, without its dependencies,
# into a directory of its own that only the test puts on PYTHONPATH.
KEDRO_MLFLOW_VERSION="2.0.3"
KEDRO_MLFLOW_DIR="$VENV/plugins/kedro-mlflow"
if [ ! -d "$KEDRO_MLFLOW_DIR/kedro_mlflow-$KEDRO_MLFLOW_VERSION.dist-info" ]; then
    log "installing kedro-mlflow $KEDRO_MLFLOW_VERSION into $KEDRO_MLFLOW_DIR"
    rm -rf "$KEDRO_MLFLOW_DIR"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
        --target "$KEDRO_MLFLOW_DIR" "kedro-mlflow==$KEDRO_MLFLOW_VERSION"
else
    log "kedro-mlflow $KEDRO_MLFLOW_VERSION already in $KEDRO_MLFLOW_DIR"
fi

log "ready: $VENV"
