# syntax=docker/dockerfile:1

# Build stage: the wheel, exactly as CI builds and smoke-tests it (scripts/wheel_smoke.py);
# the image installs that wheel, not the source tree, so it runs what users install.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps -w /dist .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY --from=build /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/*.whl \
    && rm -rf /tmp/dist

# The embedded default keeps its SQLite file in the working directory, so the
# unprivileged user gets a writable one of its own.
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin registry \
    && mkdir -p /data \
    && chown registry:registry /data
WORKDIR /data
USER registry

EXPOSE 8000
CMD ["registry", "serve", "--host", "0.0.0.0", "--port", "8000"]
