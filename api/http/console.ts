/**
 * The web console (console/, built by Vite into console/dist) served at /console: hashed assets cached for a
 * year, every other path answered with index.html (the console routes in the browser), `/` redirected there.
 *
 * Content-Security-Policy: the API's policy, helmet's defaults: scripts from 'self' only, no inline script, no
 * eval (the console's form validator interprets JSON Schemas, console/src/form/validator.ts, rather than
 * compiling them into functions as Ajv does), nothing loaded from a CDN.
 */
import express, { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordHeaders } from './security-headers';

/** Where the console lives. */
export const CONSOLE_PATH = '/console';
const YEAR_SECONDS = 365 * 24 * 3600;

/** console/dist from the sources (api/http) or from the compiled tree (dist/api/http). */
export function findConsoleDist(): string | undefined {
  return [join(__dirname, '..', '..', 'console', 'dist'), join(__dirname, '..', '..', '..', 'console', 'dist')].find(
    (dir) => existsSync(join(dir, 'index.html')),
  );
}

/** The console page's Content-Security-Policy header (see the module comment). */
export function consoleCsp(): string {
  const directives = helmet.contentSecurityPolicy.getDefaultDirectives();
  const headers = recordHeaders(helmet.contentSecurityPolicy({ useDefaults: false, directives }) as RequestHandler);
  return headers.find(([name]) => name.toLowerCase() === 'content-security-policy')![1];
}

/** Serves the console from `dist` (default: {@link findConsoleDist}). */
export function consoleRouter(dist = findConsoleDist()): Router {
  const router = Router();
  router.get('/', (_req, res) => res.redirect(302, `${CONSOLE_PATH}/`));
  if (!dist) {
    router.use(CONSOLE_PATH, (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('The web console is not built. Run `npm run build:console` (npm start builds it when missing).\n');
    });
    return router;
  }
  const csp = consoleCsp();
  // Read once: the bundle of a running process does not change (a rebuild needs a restart, as code does).
  const page = readFileSync(join(dist, 'index.html'));
  const sendPage: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // `/console` itself: relative URLs resolve against `/console/`.
    if (req.originalUrl.split('?')[0] === CONSOLE_PATH) return res.redirect(301, `${CONSOLE_PATH}/`);
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(page);
  };
  router.use(
    `${CONSOLE_PATH}/assets`,
    express.static(join(dist, 'assets'), {
      index: false,
      fallthrough: false,
      immutable: true,
      maxAge: YEAR_SECONDS * 1000,
    }),
  );
  router.use(CONSOLE_PATH, sendPage);
  return router;
}
