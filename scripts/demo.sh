#!/usr/bin/env bash
# Run the demo Kedro project in demo/ and write its HTML run report.
#
#   bash scripts/demo.sh                   # a successful run
#   bash scripts/demo.sh --fail-node       # the node modelling.train_model raises
#   bash scripts/demo.sh --missing-input   # data/01_raw/products.csv is missing during the run
#   bash scripts/demo.sh -- --tags reporting   # anything after -- goes to `kedro run`
#
# Installs what is missing first (scripts/setup.sh). A failing run is expected with the two
# switches; the report is written either way. The raw file moved aside by --missing-input is
# always put back, also when the script is interrupted.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO_DIR="$REPO_ROOT/demo"
REPORT="$DEMO_DIR/data/08_reporting/run_report.html"
RAW_INPUT="$DEMO_DIR/data/01_raw/products.csv"
MOVED_INPUT="$RAW_INPUT.moved-aside"

FAIL_NODE=0
MISSING_INPUT=0
RUN_ARGS=()
while [ "$#" -gt 0 ]; do
    case "$1" in
        --fail-node) FAIL_NODE=1 ;;
        --missing-input) MISSING_INPUT=1 ;;
        --)
            shift
            RUN_ARGS+=("$@")
            break
            ;;
        -h | --help)
            sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "demo.sh: unknown option '$1' (try --help)" >&2
            exit 2
            ;;
    esac
    shift
done

export KEDRO_DISABLE_TELEMETRY=1

bash "$REPO_ROOT/scripts/setup.sh"
export VIRTUAL_ENV="$REPO_ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"

restore_input() {
    if [ -f "$MOVED_INPUT" ] && [ ! -e "$RAW_INPUT" ]; then
        mv "$MOVED_INPUT" "$RAW_INPUT"
        echo "[demo] restored ${RAW_INPUT#"$REPO_ROOT"/}"
    fi
}
# An earlier --missing-input run that was killed may have left the file aside.
restore_input
trap restore_input EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$FAIL_NODE" -eq 1 ]; then
    RUN_ARGS+=(--params demo.fail_node=true)
fi
if [ "$MISSING_INPUT" -eq 1 ]; then
    mv "$RAW_INPUT" "$MOVED_INPUT"
    echo "[demo] moved ${RAW_INPUT#"$REPO_ROOT"/} aside for this run"
fi

cd "$DEMO_DIR"
echo "[demo] kedro run ${RUN_ARGS[*]}"
run_rc=0
kedro run "${RUN_ARGS[@]}" || run_rc=$?
restore_input

echo "[demo] kedro viz report -o $REPORT"
report_rc=0
kedro viz report -o "$REPORT" || report_rc=$?

echo
if [ "$run_rc" -eq 0 ]; then
    echo "kedro run: succeeded (exit code 0)"
elif [ "$FAIL_NODE" -eq 1 ] || [ "$MISSING_INPUT" -eq 1 ]; then
    echo "kedro run: failed as the demo switch intended (exit code $run_rc)"
else
    echo "kedro run: FAILED (exit code $run_rc)"
fi
if [ "$report_rc" -eq 0 ] && [ -f "$REPORT" ]; then
    echo "Report:    $REPORT"
    echo "Open it:   $(python -c 'import pathlib, sys; print(pathlib.Path(sys.argv[1]).as_uri())' "$REPORT")"
else
    echo "kedro viz report: FAILED (exit code $report_rc); no report written" >&2
    exit 1
fi

# A failure is the point of the switches; without them it is an error.
if [ "$run_rc" -ne 0 ] && [ "$FAIL_NODE" -eq 0 ] && [ "$MISSING_INPUT" -eq 0 ]; then
    exit "$run_rc"
fi
