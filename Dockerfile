# modelgate: CPU image. Build: docker build -t modelgate .
# Run:   docker run -p 8000:8000 -v "$PWD/models:/models" modelgate
# GPU:   build with --build-arg ORT_INSTALL=cuda12 on a CUDA 12 base (see README "GPU").
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# onnxruntime-node's install step fetches the CUDA execution provider only when asked.
ARG ORT_INSTALL=skip
ENV ONNXRUNTIME_NODE_INSTALL=${ORT_INSTALL}
COPY package.json package-lock.json .npmrc ./
# @tensorflow/tfjs-node(-gpu) are optional: with network access their install fetches
# libtensorflow; without it npm drops them and TensorFlow models run on the WASM backend,
# whose .wasm files come with node_modules (README "TensorFlow models").
RUN npm ci --omit=dev --no-audit --no-fund
# Bundle the TypeScript sources into dist/ (esbuild comes with tsx, a runtime dependency).
COPY bin ./bin
COPY gateway ./gateway
COPY runtimes ./runtimes
RUN node bin/build.js

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    MODELGATE_MODEL_REPOSITORY=/models \
    MODELGATE_HOST=0.0.0.0 \
    MODELGATE_PORT=8000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=deps /app/dist ./dist
# Owned by the runtime user: in a shared repository volume the rollout controller
# and PUT /v2/models/{m}/traffic write traffic.yaml and rollout.json next to the models.
COPY --chown=node:node models /models
USER node
EXPOSE 8000
VOLUME ["/models"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MODELGATE_PORT||8000)+'/v2/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/modelgate.js"]
CMD ["serve"]
