# One image for every Guildflow service; docker-compose.yml picks the command (worker, api, bot, migrate).
FROM node:20-bookworm-slim
WORKDIR /app
# procps: the bot's health check looks for its process.
RUN apt-get update && apt-get install -y --no-install-recommends procps && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.ts scripts/build-web.ts scripts/
COPY lib/web lib/web
COPY prisma prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
# The admin dashboard (web/ → web/dist), served by the API at /.
RUN npm run web:build
# Workers load this prebuilt bundle instead of compiling workflow code at start-up.
RUN npm run build:workflows -- dist/workflow-bundle.js
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
# The TypeScript loader (lib/dev/register-ts.cjs) caches what it compiles here; the processes run as node.
RUN mkdir -p node_modules/.cache/guildflow-ts && chown node:node node_modules/.cache/guildflow-ts
USER node
CMD ["npm", "run", "worker"]
