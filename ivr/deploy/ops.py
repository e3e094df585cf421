"""What a deployment watches: `/healthz` and `/metrics`, their details behind a credential.

Without it, `/healthz` says only whether the service answers (for a load balancer), and
`/metrics` nothing: the counts of calls by line and outcome would tell anyone polling them when
someone called the domestic-violence line and how the call ended, and a refused configuration
change names files and numbers. With `Authorization: Bearer <IVR_OPS_TOKEN>`, both show all.
Neither waits on the database: the database thread's last word is shown.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request

from ivr import metrics

bp = Blueprint("ops", __name__)


def authorised() -> bool:
    service = current_app.extensions["ivr"]
    token = service.settings.ops_token
    if not token:
        # Local trials (make run) have no credential to give: their figures are nobody's.
        return service.settings.insecure
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@bp.get("/healthz")
def healthz():
    service = current_app.extensions["ivr"]
    service.begin()
    if not authorised():
        return {"status": "ok"}
    return {"status": "ok", **service.health()}


@bp.get("/metrics")
def metrics_page():
    if not authorised():
        return Response(
            "metrics need a credential: Authorization: Bearer <IVR_OPS_TOKEN> (docs/deploy.md)\n",
            status=401,
            mimetype="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="ivr"'},
        )
    body, content_type = metrics.exposition(current_app.extensions["ivr"].settings.metrics_folder)
    return Response(body, mimetype=content_type.split(";")[0], content_type=content_type)
