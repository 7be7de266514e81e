/**
 * Vite configuration of the web console. `npm run build:console` bundles it into console/dist (served by the
 * API at /console); `npx vite --config console/vite.config.mts` runs a dev server with hot reload that proxies
 * /api to a running API (API_URL, default http://localhost:3000).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  logLevel: 'warn',
  // Vite 8 transforms TSX with Oxc; the automatic runtime needs no `import React` in every file.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Every asset is a file under /console/assets (hashed, cached for a year).
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      // @rjsf marks its hooks 'use client' (a React Server Components hint): meaningless in a client bundle.
      // @rjsf/core's test registry (never imported by the console, so tree-shaken away) imports the Ajv validator,
      // which the console does not install (it validates with an eval-free validator, src/form/validator.ts).
      external: ['@rjsf/validator-ajv8'],
      // Any other import that does not resolve fails the build (Vite's default): a bare specifier in the bundle
      // would break the page at run time.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: { proxy: { '/api': process.env.API_URL ?? 'http://localhost:3000' } },
});
