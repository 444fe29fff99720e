# A small image running `monitor run` against a mounted config.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    MONITOR_CONFIG=/config/config.yaml \
    MONITOR_DATABASE__URL=sqlite:////data/monitor.db \
    MONITOR_API__HOST=0.0.0.0

WORKDIR /app
COPY pyproject.toml README.md ./
COPY monitor ./monitor
COPY collectors ./collectors
COPY api ./api
COPY migrations ./migrations
RUN pip install -e '.[postgres]' \
    && useradd --system --home /app monitor \
    && mkdir -p /data /config && chown monitor /data

USER monitor
VOLUME ["/data"]
EXPOSE 8000
CMD ["monitor", "run"]
