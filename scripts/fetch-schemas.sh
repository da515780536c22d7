#!/usr/bin/env bash
# Fetches the published schemas the conformance tests validate against, into
# target/schemas/ (never committed). Pinned versions; safe to rerun.
#   SARIF 2.1.0 (OASIS, errata 01 "rtm.5"), as shipped in an npm package.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/schemas
mkdir -p "$out"

fetch_from_npm() { # package@version path-in-tarball destination
    local spec=$1 inner=$2 dest=$3
    if [[ -s $dest ]]; then
        return
    fi
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
    tar -xzf "$tmp"/*.tgz -C "$tmp" "$inner"
    mv "$tmp/$inner" "$dest"
    rm -rf "$tmp"
    echo "fetched $dest from $spec"
}

fetch_from_npm @microsoft/jest-sarif@1.0.0-beta.0 package/lib/schemas/sarif-2.1.0-rtm.5.json "$out/sarif-2.1.0.json"
#   GitHub's REST OpenAPI description (OpenAPI 3.0.3), from @octokit/openapi.
fetch_from_npm @octokit/openapi@23.0.2 package/generated/api.github.com.json "$out/github-openapi.json"
#   GitHub's published webhook payload examples (one list per event), from
#   @octokit/webhooks-examples: the serve tests sign and POST them.
fetch_from_npm @octokit/webhooks-examples@7.6.1 package/api.github.com/index.json "$out/webhooks-examples.json"
#   GitHub's public GraphQL schema (SDL), from @octokit/graphql-schema: every
#   query `livegate deploy` sends is validated against it.
fetch_from_npm @octokit/graphql-schema@15.26.1 package/schema.graphql "$out/github-schema.graphql"
