FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY server ./server
COPY schema ./schema
COPY workers ./workers
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["salon", "serve", "--host", "0.0.0.0", "--port", "8000"]
