# livegate in a container: the CLI (scan a mounted directory) and `livegate
# serve` (the GitHub App).
#   docker build -t livegate .
#   docker run --rm -v "$PWD:/src" livegate scan /src
#   docker run -p 8080:8080 -v livegate-data:/data \
#     -e LIVEGATE_APP_ID=123456 -e LIVEGATE_APP_KEY=/run/secrets/app.pem \
#     -e LIVEGATE_WEBHOOK_SECRET_FILE=/run/secrets/webhook-secret livegate   # serve is the default command
# Build stage: the release binary (SQLite and libgit2 are compiled in, so the
# final image needs no git).
FROM rust:1.88-bookworm AS build
WORKDIR /build
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY policies ./policies
RUN cargo build --release --locked --bin livegate \
    && strip target/release/livegate

# Final stage: the binary, CA certificates (for GitHub's API), and an
# unprivileged user.
FROM debian:bookworm-slim
# Not pinned to a version (hadolint DL3008): the trust store must be the
# current one, and Debian drops a superseded version from its archive, which
# would break the build at the next update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home livegate \
    && mkdir -p /src \
    && printf '[safe]\n\tdirectory = /src\n\tdirectory = /src/*\n' > /etc/gitconfig
# A repository mounted at /src belongs to the host's user, not to uid 10001;
# git (and libgit2) refuse such a repository unless it is marked safe, which
# the system configuration above does for /src only. Alternatively run with
# `--user "$(id -u):$(id -g)"`.
COPY --from=build /build/target/release/livegate /usr/local/bin/livegate
USER 10001:10001
WORKDIR /src
VOLUME ["/data"]
EXPOSE 8080
# For `serve`: where it listens and keeps its queue.
ENV LIVEGATE_LISTEN=0.0.0.0:8080 \
    LIVEGATE_DB=/data/livegate-serve.db
# SIGTERM (docker stop) lets in-flight work finish; the rest stays queued in /data.
STOPSIGNAL SIGTERM
ENTRYPOINT ["livegate"]
# Without arguments: `livegate serve`, as before the image also ran the CLI.
CMD ["serve"]
