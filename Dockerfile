FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shouhu ./shouhu
COPY gateway ./gateway
COPY alerting ./alerting
COPY simulator ./simulator
COPY api ./api
COPY bench ./bench
COPY examples ./examples
RUN pip install --no-cache-dir .
RUN useradd --system --home /app shouhu && mkdir -p /app/var && chown shouhu /app/var
USER shouhu
EXPOSE 8000
ENV SHOUHU_API_HOST=0.0.0.0
CMD ["shouhu", "run"]
