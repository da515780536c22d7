# livegate serve: the livegate GitHub App in a container.
#   docker build -t livegate .
#   docker run -p 8080:8080 -v livegate-data:/data \
#     -e LIVEGATE_APP_ID=123456 -e LIVEGATE_APP_KEY=/run/secrets/app.pem \
#     -e LIVEGATE_WEBHOOK_SECRET_FILE=/run/secrets/webhook-secret livegate
# Build stage: the release binary (SQLite and libgit2 are compiled in).
FROM rust:1.88-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY policies ./policies
RUN cargo build --release --locked --bin livegate \
    && strip target/release/livegate

# Final stage: the binary, CA certificates, and an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home livegate
COPY --from=build /src/target/release/livegate /usr/local/bin/livegate
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
ENV LIVEGATE_LISTEN=0.0.0.0:8080 \
    LIVEGATE_DB=/data/livegate-serve.db
# SIGTERM (docker stop) lets in-flight work finish; the rest stays queued in /data.
STOPSIGNAL SIGTERM
ENTRYPOINT ["livegate", "serve"]
