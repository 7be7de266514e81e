/**
 * The browsable reference at `/api/v1/docs`: Swagger UI served from the installed swagger-ui-dist
 * package (no CDN), pointed at `/api/v1/openapi.json`. The initializer is a file, not an inline
 * script, so the default Content-Security-Policy (`script-src 'self'`) holds.
 */
import express, { Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

/** Where the page lives. */
export const DOCS_PATH = '/api/v1/docs';

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Augmented OS Orchestrator API</title>
  <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${DOCS_PATH}/swagger-ui-standalone-preset.js"></script>
  <script src="${DOCS_PATH}/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout'
});
`;

/** Router serving the reference page and its assets. */
export function docsRouter(): Router {
  const router = Router();
  const page: express.RequestHandler = (_req, res) => {
    res.type('html').setHeader('Cache-Control', 'no-cache');
    res.send(PAGE);
  };
  router.get([DOCS_PATH, `${DOCS_PATH}/`, `${DOCS_PATH}/index.html`], page);
  router.get(`${DOCS_PATH}/init.js`, (_req, res) => {
    res.type('application/javascript').send(INIT);
  });
  router.use(DOCS_PATH, express.static(getAbsoluteFSPath(), { index: false, maxAge: '1h' }));
  return router;
}
