"""Content-Security-Policy on every response (docs/security.md, "Web and browser").

Django's SecurityMiddleware and XFrameOptionsMiddleware already send
X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy and
X-Frame-Options; Django 5.2 has no CSP of its own, so this middleware adds one:
`PIPEWRIGHT_CSP`, or the policy `PIPEWRIGHT_CSP_BY_PATH` gives the longest path
prefix that matches (the API docs load Swagger UI from a CDN). An empty policy
sends none; a view that sets its own keeps it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

HEADER = "Content-Security-Policy"


def policy_for(path: str) -> str:
    by_path: dict[str, str] = settings.PIPEWRIGHT_CSP_BY_PATH
    matches = [prefix for prefix in by_path if path.startswith(prefix)]
    if matches:
        return by_path[max(matches, key=len)]
    policy: str = settings.PIPEWRIGHT_CSP
    return policy


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Placed right after SecurityMiddleware, so that static files and the CSRF
    failure page get the policy too."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        policy = policy_for(request.path)
        if policy and HEADER not in response.headers:
            response.headers[HEADER] = policy
        return response
