# pix-imilo: the Pix → I-Milo connector.
# Builds on any Python 3.11+ base image; BASE_IMAGE lets a local stand-in replace the registry's.
ARG BASE_IMAGE=python:3.12-slim

# ---- build: a virtual environment holding the locked dependencies, then the project
FROM ${BASE_IMAGE} AS build
# pip reads PIP_CERT from the environment: a CA bundle for mirrors that need one.
ARG PIP_CERT
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# A WORKDIR, so that the build backend never walks the whole filesystem.
WORKDIR /src
RUN python3 -m venv /opt/venv
# Dependencies get their own layer, rebuilt only when the lock file changes.
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --requirement requirements.lock
COPY pyproject.toml README.md ./
COPY connector ./connector
RUN /opt/venv/bin/pip install --no-deps .

# ---- runtime: the same base, the virtual environment, no build tools
FROM ${BASE_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CONNECTOR_LOG_FORMAT=json \
    CONNECTOR_MAPPINGS_DIR=/etc/pix-imilo/mappings \
    CONNECTOR_DATABASE_URL=sqlite:////var/lib/pix-imilo/pix-imilo.db \
    CONNECTOR_HTTP_HOST=0.0.0.0 \
    CONNECTOR_HTTP_PORT=8080
# An unprivileged user (uid and gid 10001) owns only the state directory. /etc/pix-imilo, the
# working directory, stays root's and read-only to that user: nobody can plant a .env there
# (settings are also read from a .env in the working directory).
RUN groupadd --system --gid 10001 pix-imilo \
    && useradd --system --uid 10001 --gid pix-imilo --home-dir /var/lib/pix-imilo --no-create-home pix-imilo \
    && mkdir -p /var/lib/pix-imilo /etc/pix-imilo \
    && chown pix-imilo:pix-imilo /var/lib/pix-imilo \
    && chmod 0755 /etc/pix-imilo
COPY --from=build /opt/venv /opt/venv
# Default (empty) mappings, owned by root; mount your own over /etc/pix-imilo/mappings.
COPY mappings /etc/pix-imilo/mappings
WORKDIR /etc/pix-imilo
USER pix-imilo
# The SQLite state store lives here: keep it on a volume so the ledger survives restarts.
VOLUME ["/var/lib/pix-imilo"]
# /healthz, /readyz and /metrics (CONNECTOR_HTTP_PORT, on every interface inside the image).
EXPOSE 8080
# The image has no curl: the connector asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["pix-imilo", "healthcheck"]
# Exec form: the worker is PID 1 and gets SIGTERM itself, to stop after the write in flight.
ENTRYPOINT ["pix-imilo"]
CMD ["worker"]
