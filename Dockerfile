# Every version in the image comes from uv.lock. The first stage turns the lock's runtime
# part (and the `build` group: the setuptools that builds Salon) into a requirements file
# with hashes; the image installs exactly that, then Salon itself without dependencies.
FROM python:3.11-slim AS lock
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY requirements-uv.txt ./
RUN pip install --no-cache-dir --require-hashes --only-binary :all: -r requirements-uv.txt
COPY pyproject.toml uv.lock ./
RUN uv export --quiet --frozen --no-emit-project --no-dev --group build -o requirements.txt

# The attendee app: npm ci from web/package-lock.json (exact versions, integrity hashes),
# then the static build that the server serves at /.
FROM node:20.20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json web/.npmrc ./
RUN npm ci --no-audit --no-fund
COPY web ./
RUN npm run build

FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
COPY --from=lock /src/requirements.txt ./
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
COPY pyproject.toml README.md ./
COPY server ./server
COPY schema ./schema
COPY workers ./workers
RUN pip install --no-cache-dir --no-deps --no-build-isolation .
COPY --from=web /web/dist ./web/dist
ENV SALON_WEB_ROOT=/app/web/dist
EXPOSE 8000
CMD ["salon", "serve", "--host", "0.0.0.0", "--port", "8000"]
