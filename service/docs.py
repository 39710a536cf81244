"""The API documentation at /docs, served whole by the app: it works on an intranet with
no way out to a CDN, and under the same Content-Security-Policy as every page.

Swagger UI's script and stylesheet come from the `fastapi-offline` package (Swagger UI 5,
Apache-2.0); its start-up code is static/docs.js, because the policy allows no inline
script. ReDoc is not offered: it injects inline styles, which the policy refuses.
"""

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from service.config import PROJECT_ROOT
from service.headers import CONTENT_SECURITY_POLICY

SWAGGER_ASSETS = "/static/swagger-ui"
# Swagger UI draws its icons as data: images; nothing else is loosened.
DOCS_POLICY = CONTENT_SECURITY_POLICY + "; img-src 'self' data:"
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} · API</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
  <link rel="icon" href="{assets}/favicon.png">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """/docs and the static files: the app's own (/static) and Swagger UI's."""
    swagger = files("fastapi_offline") / "static"
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=str(swagger)), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    page = DOCS_PAGE.format(title=app.title, assets=SWAGGER_ASSETS, openapi_url=app.openapi_url)

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_POLICY})
