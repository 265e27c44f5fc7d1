"""Implements generated.api_versions.ApiVersionsApi: rules in the service, the cache in Pins."""

from __future__ import annotations

from generated import models
from generated.api_versions import GetApiVersionPinOk, SetApiVersionPinOk
from service.auth.tokens import Principal
from service.versions.service import PinsService, PinView


def _body(view: PinView) -> models.ApiVersionPin:
    return models.ApiVersionPin(
        version=view.version, pinned_at=view.pinned_at, updated_at=view.updated_at
    )


class ApiVersionsHandlers:
    def __init__(self, service: PinsService) -> None:
        self._service = service

    async def get_api_version_pin(
        self, *, customer_id: str, principal: Principal
    ) -> GetApiVersionPinOk:
        view = await self._service.get(caller=principal.customer_id, customer_id=customer_id)
        return GetApiVersionPinOk(body=_body(view))

    async def set_api_version_pin(
        self, *, customer_id: str, body: models.ApiVersionPinUpdate, principal: Principal
    ) -> SetApiVersionPinOk:
        view = await self._service.move(
            caller=principal.customer_id, customer_id=customer_id, version=body.version
        )
        return SetApiVersionPinOk(body=_body(view))
