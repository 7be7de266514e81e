# Image for the platform's api, worker and migrate processes (see temporal/docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Compile TypeScript, bundle the web console (console/dist, served by the API at /console), then prebuild the
# workflow bundle so workers start without webpack.
RUN npm run build && npm run build:console && node dist/scripts/bundle-workflows.js dist/workflow-bundle.js \
  && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# `npx aos` (the definitions-as-code CLI) runs bin/aos.js, which loads dist/cli/aos.js here.
COPY --from=build /app/bin ./bin
COPY --from=build /app/console/dist ./console/dist
USER node
CMD ["node", "dist/api/main.js"]
