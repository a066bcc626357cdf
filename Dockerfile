# One image definition for every service; the build arguments name the service and its port (services.toml).
# From the repository root:
#   docker build --build-arg SERVICE=case-allocation --build-arg PORT=8001 -t probation-platform/case-allocation:dev .
# The same image serves the API (`serve --workers none`), the worker (`worker`) and the migration Job
# (`migrate`); Kubernetes and compose choose the command (see k8s/base, deploy/compose.yaml). The service
# runs from site-packages: its migrations and data files are package data, so no source folder is kept.
FROM python:3.11-slim AS build
ARG SERVICE
WORKDIR /src
COPY shared/ ./shared/
COPY services/${SERVICE}/ ./services/${SERVICE}/
RUN test -n "${SERVICE}" && pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ./shared "./services/${SERVICE}"

FROM python:3.11-slim
ARG SERVICE
ARG PORT=8000
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PLATFORM_SERVICE=${SERVICE} \
    PLATFORM_PORT=${PORT}

# The resettlement pack's PDF (WeasyPrint) needs Pango, HarfBuzz's subsetter and a font; other services do without.
RUN if [ "${SERVICE}" = "resettlement" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
      && rm -rf /var/lib/apt/lists/*; \
    fi

COPY constraints.txt /tmp/constraints.txt
COPY --from=build /wheels /wheels
# Every dependency pinned by constraints.txt (no download addresses in it, none here).
RUN pip install -c /tmp/constraints.txt /wheels/*.whl && rm -rf /wheels /tmp/constraints.txt

RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent app
WORKDIR /tmp
USER 10001:10001

EXPOSE ${PORT}
CMD ["sh", "-c", "exec python -m \"$(echo \"$PLATFORM_SERVICE\" | tr - _)\" serve --host 0.0.0.0 --port \"$PLATFORM_PORT\" --workers none"]
