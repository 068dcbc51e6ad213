# Builds the same single binary as `npm run build`, then ships it alone.
# (test/dockerfile.test.ts runs these build steps outside Docker.)
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Bun and the packages the server is built from; the test tools (devDependencies) stay out.
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN npm run build

FROM debian:bookworm-slim
# CA certificates: SMTP over TLS, the time-stamp authority and webhook endpoints over https.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
# The data volume exists before it is mounted, owned by the user the server runs as (mode 700).
RUN useradd --system --home /var/lib/certyneo --create-home certyneo \
 && install -d -o certyneo -g certyneo -m 700 /var/lib/certyneo/data
COPY --from=build /src/dist/certyneo /usr/local/bin/certyneo
USER certyneo
WORKDIR /var/lib/certyneo
# The allocator setting `serve` would otherwise restart itself to take (docs/configuration.md).
ENV CERTYNEO_HOST=0.0.0.0 CERTYNEO_DATA_DIR=/var/lib/certyneo/data MIMALLOC_PURGE_HOLES=0
VOLUME /var/lib/certyneo/data
EXPOSE 3000
HEALTHCHECK CMD ["/usr/local/bin/certyneo", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/certyneo"]
CMD ["serve"]
