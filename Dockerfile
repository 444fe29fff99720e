# A small image running `monitor run` against a mounted config, installed from the lock.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    MONITOR_CONFIG=/config/config.yaml \
    MONITOR_DATABASE__URL=sqlite:////data/monitor.db \
    MONITOR_API__HOST=0.0.0.0 \
    MONITOR_API__PUBLIC_URL=http://127.0.0.1:8000

WORKDIR /app
COPY pyproject.toml uv.lock setup.py README.md ./
RUN pip install uv==0.13.9 \
    && uv export --frozen --no-dev --extra postgres --no-emit-project -o /tmp/requirements.txt \
    && pip install --require-hashes -r /tmp/requirements.txt
COPY monitor ./monitor
COPY collectors ./collectors
COPY api ./api
COPY migrations ./migrations
# Not editable: the migrations travel inside the package, as in any other install.
RUN pip install --no-deps . \
    && useradd --system --home /app monitor \
    && mkdir -p /data /config && chown monitor /data

USER monitor
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["monitor", "run"]
