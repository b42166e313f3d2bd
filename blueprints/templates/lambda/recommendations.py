"""Chaos Shop recommendations: a Lambda function behind the lab's load balancer.

It calls no dependency, so what a run shows on its endpoint is the FIS fault alone. The
load balancer invokes it with an ALB event and turns the returned dict into the HTTP
response (statusCode, headers, body; isBase64Encoded false).
"""

import json
import os
from http import HTTPStatus

PICKS = [
    {"id": 1, "name": "Chaos Monkey plush", "reason": "bestseller"},
    {"id": 2, "name": "Latency socks", "reason": "often bought together"},
    {"id": 3, "name": "Failover mug", "reason": "new"},
]


def handler(event, context):
    """Answers GET with the picks as JSON, anything else with 405."""
    method = (event or {}).get("httpMethod", "GET")
    if method not in ("GET", "HEAD"):
        return response(405, {"error": "method not allowed"}, {"Allow": "GET, HEAD"})
    body = {
        "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "recommendations"),
        "recommendations": PICKS,
    }
    return response(200, body)


def response(status, body, extra_headers=None):
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    headers.update(extra_headers or {})
    return {
        "statusCode": status,
        "statusDescription": f"{status} {HTTPStatus(status).phrase}",
        "isBase64Encoded": False,
        "headers": headers,
        "body": json.dumps(body),
    }
