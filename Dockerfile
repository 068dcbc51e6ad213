# Builds the same single binary as `npm run build`, then ships it alone.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/certyneo --create-home certyneo
COPY --from=build /src/dist/certyneo /usr/local/bin/certyneo
USER certyneo
WORKDIR /var/lib/certyneo
ENV CERTYNEO_HOST=0.0.0.0 CERTYNEO_DATA_DIR=/var/lib/certyneo/data
VOLUME /var/lib/certyneo/data
EXPOSE 3000
HEALTHCHECK CMD ["/usr/local/bin/certyneo", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/certyneo"]
CMD ["serve"]
