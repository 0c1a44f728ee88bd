#!/bin/sh
# The container's entrypoint (deploy/Containerfile): the schema first, then the command.
# `qorgau migrate` runs as DATABASE_OWNER_URL's role when it is set (docs/access.md); set
# QORGAU_MIGRATE=0 where another process migrates (several replicas: migrate once, from a job).
set -eu
if [ "${QORGAU_MIGRATE:-1}" = "1" ] && [ "${1:-}" = "qorgau" ] && [ "${2:-}" = "serve" ]; then
    qorgau migrate --noinput
fi
exec "$@"
