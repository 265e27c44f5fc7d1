"""Implements generated.webhooks.WebhooksApi: one unit of work per request, rules in the service."""

from __future__ import annotations

from uuid import UUID

from generated import models
from generated.webhooks import (
    CreateWebhookEndpointCreated,
    DeleteWebhookEndpointNoContent,
    GetWebhookDeliveryOk,
    GetWebhookEndpointOk,
    ListWebhookDeliveriesOk,
    ListWebhookEndpointsOk,
    RotateWebhookEndpointSecretOk,
)
from service.auth.tokens import Principal
from service.kit.db import Transactional
from service.kit.deadlines import uninterrupted
from service.webhooks.service import WebhooksService, WebhooksUnit


class WebhooksHandlers:
    def __init__(self, service: WebhooksService, units: Transactional[WebhooksUnit]) -> None:
        self._service = service
        self._units = units

    async def create_webhook_endpoint(
        self, *, body: models.WebhookEndpointCreate, principal: Principal
    ) -> CreateWebhookEndpointCreated:
        # Finished past the request deadline too: its secret is shown only in this answer.
        created = await uninterrupted(self._create(body, principal))
        return CreateWebhookEndpointCreated(
            body=created, location=f"/v1/webhook-endpoints/{created.id}"
        )

    async def _create(
        self, body: models.WebhookEndpointCreate, principal: Principal
    ) -> models.WebhookEndpointWithSecret:
        async with self._units(write=True) as unit:
            return await self._service.create_endpoint(
                unit, caller=principal.customer_id, body=body
            )

    async def list_webhook_endpoints(
        self, *, limit: int = 20, cursor: str | None = None, principal: Principal
    ) -> ListWebhookEndpointsOk:
        async with self._units(write=False) as unit:
            page = await self._service.list_endpoints(
                unit, caller=principal.customer_id, limit=limit, cursor=cursor
            )
        return ListWebhookEndpointsOk(body=page)

    async def get_webhook_endpoint(
        self, *, endpoint_id: UUID, principal: Principal
    ) -> GetWebhookEndpointOk:
        async with self._units(write=False) as unit:
            endpoint = await self._service.get_endpoint(
                unit, caller=principal.customer_id, endpoint_id=endpoint_id
            )
        return GetWebhookEndpointOk(body=endpoint)

    async def delete_webhook_endpoint(
        self, *, endpoint_id: UUID, principal: Principal
    ) -> DeleteWebhookEndpointNoContent:
        async with self._units(write=True) as unit:
            await self._service.delete_endpoint(
                unit, caller=principal.customer_id, endpoint_id=endpoint_id
            )
        return DeleteWebhookEndpointNoContent()

    async def rotate_webhook_endpoint_secret(
        self,
        *,
        endpoint_id: UUID,
        body: models.WebhookSecretRotation | None,
        principal: Principal,
    ) -> RotateWebhookEndpointSecretOk:
        # Finished past the request deadline too: a rotation whose new secret the caller never
        # saw would leave it rotating again, which ends the old secret's overlap.
        rotated = await uninterrupted(
            self._rotate(endpoint_id, body or models.WebhookSecretRotation(), principal)
        )
        return RotateWebhookEndpointSecretOk(body=rotated)

    async def _rotate(
        self, endpoint_id: UUID, body: models.WebhookSecretRotation, principal: Principal
    ) -> models.WebhookSecretRotated:
        async with self._units(write=True) as unit:
            return await self._service.rotate_secret(
                unit, caller=principal.customer_id, endpoint_id=endpoint_id, body=body
            )

    async def list_webhook_deliveries(
        self,
        *,
        endpoint_id: UUID,
        status: models.WebhookDeliveryStatus | None = None,
        limit: int = 20,
        cursor: str | None = None,
        principal: Principal,
    ) -> ListWebhookDeliveriesOk:
        async with self._units(write=False) as unit:
            page = await self._service.list_deliveries(
                unit,
                caller=principal.customer_id,
                endpoint_id=endpoint_id,
                status=status,
                limit=limit,
                cursor=cursor,
            )
        return ListWebhookDeliveriesOk(body=page)

    async def get_webhook_delivery(
        self, *, endpoint_id: UUID, delivery_id: UUID, principal: Principal
    ) -> GetWebhookDeliveryOk:
        async with self._units(write=False) as unit:
            delivery = await self._service.get_delivery(
                unit, caller=principal.customer_id, endpoint_id=endpoint_id, delivery_id=delivery_id
            )
        return GetWebhookDeliveryOk(body=delivery)
