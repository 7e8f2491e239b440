"""Project settings. Only values that differ from Kedro's defaults are set here.

kedro-run-report needs no setting: installing it registers its hook. To switch its hook off
for this project, uncomment:

    DISABLE_HOOKS_FOR_PLUGINS = ("kedro-run-report",)
"""

from kedro.config import OmegaConfigLoader

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
}
