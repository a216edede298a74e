# One image for every process of the platform; the compose file picks the command.
# Node 20 (Apollo federation 2.14 supports it; 2.15 would need Node 22).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
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
COPY shared/server/package.json shared/server/
COPY shared/testing/package.json shared/testing/
# tsx (a dev dependency) runs the TypeScript sources, as `npm start` does.
RUN npm ci --ignore-scripts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0
COPY --from=deps /app/node_modules ./node_modules
COPY --chown=node:node . .
USER node
# Overridden per service in docker-compose.yml.
CMD ["node_modules/.bin/tsx", "gateway/src/main.ts"]
