"""What every settings class shares: where its values come from."""

import os

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PRODUCTION = "production"


def production_process() -> bool:
    """Whether the process environment says production (``ENVIRONMENT=production``)."""
    return os.environ.get("ENVIRONMENT", "").strip().lower() == PRODUCTION


class ServiceSettings(BaseSettings):
    """Values from the arguments, the process environment and, outside production, ``.env``.

    A production process never reads ``.env``: a development key left in the working
    directory must not sign production tokens, nor a developer's URL reach production.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        if production_process():
            return init_settings, env_settings, file_secret_settings
        return init_settings, env_settings, dotenv_settings, file_secret_settings
