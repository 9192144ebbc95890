# pix-imilo: the Pix → I-Milo connector.
# The base is the Python that CI tests (3.11, Debian bookworm, slim), pinned by digest so that a
# rebuild gets the same base; BASE_IMAGE overrides it (a local stand-in, or a newer digest: see
# docs/operations.md, 'Updating the lock'). Any Python 3.11 image with `python3 -m venv` works.
ARG BASE_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# ---- build: a virtual environment holding the locked dependencies, then the project
FROM ${BASE_IMAGE} AS build
# pip reads PIP_CERT from the environment: a CA bundle for mirrors that need one.
ARG PIP_CERT
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# A WORKDIR, so that the build backend never walks the whole filesystem.
WORKDIR /src
RUN python3 -m venv /opt/venv
# Dependencies get their own layer, rebuilt only when the lock file changes. Every file is
# checked against the lock's sha256; the lock also pins the build backend (setuptools).
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --require-hashes --requirement requirements.lock
# The project alone, built with the locked setuptools (no isolated build environment, so nothing
# unpinned is fetched); then the build backend leaves the virtual environment.
COPY pyproject.toml README.md ./
COPY connector ./connector
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation . \
    && /opt/venv/bin/pip uninstall --yes setuptools

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
EXPOSE 8080 8081
# The image has no curl: the connector asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["pix-imilo", "healthcheck"]
# Exec form: the worker is PID 1 and gets SIGTERM itself, to stop after the write in flight.
ENTRYPOINT ["pix-imilo"]
CMD ["worker"]
