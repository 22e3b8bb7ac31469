# One image per service, all from this file:
#   docker build --target contract-svc -t sla-platform/contract-svc:0.1.0 .
# (likewise ticket-svc, billing-svc, reporting-svc and sla-gateway). The build stage runs scripts/build, the
# runtime stage scripts/install-runtime: the same Debian 12 packages and CMake invocation that
# scripts/run and scripts/test use, so the tested path is the shipped path. scripts/k8s-check
# verifies that the runtime packages cover every library the binaries link and that each
# target below ships the binary its Deployment runs.
FROM debian:12 AS build
WORKDIR /src
COPY . .
RUN scripts/build build-release && rm -rf /var/lib/apt/lists/*

FROM debian:12-slim AS runtime
COPY scripts/lib.sh scripts/install-runtime /opt/sla/scripts/
RUN /opt/sla/scripts/install-runtime && rm -rf /var/lib/apt/lists/* /opt/sla \
 && groupadd --system --gid 10001 sla && useradd --system --uid 10001 --gid sla --no-create-home sla
USER 10001:10001
# The plaintext health-only port the probes use; each target adds its gRPC port.
EXPOSE 8081

FROM runtime AS contract-svc
COPY --from=build /src/build-release/contract-svc/contract-svc /usr/local/bin/contract-svc
EXPOSE 50051
ENTRYPOINT ["/usr/local/bin/contract-svc"]

FROM runtime AS ticket-svc
COPY --from=build /src/build-release/ticket-svc/ticket-svc /usr/local/bin/ticket-svc
EXPOSE 50052
ENTRYPOINT ["/usr/local/bin/ticket-svc"]

FROM runtime AS billing-svc
COPY --from=build /src/build-release/billing-svc/billing-svc /usr/local/bin/billing-svc
EXPOSE 50053
ENTRYPOINT ["/usr/local/bin/billing-svc"]

FROM runtime AS reporting-svc
COPY --from=build /src/build-release/reporting-svc/reporting-svc /usr/local/bin/reporting-svc
EXPOSE 50054
ENTRYPOINT ["/usr/local/bin/reporting-svc"]

FROM runtime AS sla-gateway
COPY --from=build /src/build-release/gateway/sla-gateway /usr/local/bin/sla-gateway
COPY --from=build /src/gateway/docs-ui/node_modules/swagger-ui-dist /usr/share/sla-gateway/docs
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/sla-gateway"]
