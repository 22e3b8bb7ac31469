// Checks rendered kustomize overlays (one multi-document YAML file per overlay):
//   1. every object validates against the Kubernetes schemas (kubernetes-models; cert-manager
//      and External Secrets for their CRDs), and an object of an unknown kind fails;
//   2. consistency with the binaries: every SLA_* variable and --flag a container gets is a flag
//      its binary lists in --help; ports, probe ports and Service target ports agree with the
//      flags; every file flag points into a mounted volume; every ConfigMap/Secret (and key)
//      referenced exists in the overlay; every peer address names a Service port that the
//      network policies let the caller reach;
//   3. the deployment rules: replicas, probes, security context, drain vs grace period, HPA
//      and PDB per service, default-deny network policy, TLS everywhere in prod; for the
//      HTTP gateway, HTTP probes of /healthz and an Ingress that does not buffer event streams.
//
//   node check.mjs --help-dir DIR OVERLAY.yaml...    (DIR holds <binary>.help files)
//   node check.mjs --self-test --help-dir DIR OVERLAY.yaml
//       breaks copies of the first overlay in known ways and fails unless each break is caught.
import { readFileSync, readdirSync } from "node:fs";
import { basename } from "node:path";
import { parseAllDocuments } from "yaml";

const CRD_PACKAGES = {
  "cert-manager.io": "@kubernetes-models/cert-manager",
  "external-secrets.io": "@kubernetes-models/external-secrets",
};

async function modelFor(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const pkg = CRD_PACKAGES[group] ? `${CRD_PACKAGES[group]}/${apiVersion}` : `kubernetes-models/${apiVersion}`;
  try {
    const mod = await import(pkg);
    return mod[kind];
  } catch {
    return undefined;
  }
}

function loadOverlay(path) {
  const docs = parseAllDocuments(readFileSync(path, "utf8"));
  const objects = [];
  for (const d of docs) {
    if (d.errors.length) throw new Error(`${path}: ${d.errors[0].message}`);
    const o = d.toJSON();
    if (o) objects.push(o);
  }
  return objects;
}

// Flags each binary accepts, from its --help (Abseil prints "  --name (help); default: …").
function loadFlags(dir) {
  const flags = {};
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".help")) continue;
    const names = new Set();
    for (const m of readFileSync(`${dir}/${f}`, "utf8").matchAll(/^\s+--([a-z0-9_]+) \(/gm)) names.add(m[1]);
    flags[f.slice(0, -5)] = names;
  }
  return flags;
}

const flagOfEnv = (name) => (name.startsWith("SLA_") ? name.slice(4).toLowerCase() : null);
const id = (o) => `${o.kind}/${o.metadata?.name}`;

function matches(selector, labels) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

// Keys of every Secret the overlay provides: Secret objects, ExternalSecret targets and
// cert-manager Certificates (tls.crt, tls.key, ca.crt).
function secretKeys(objects) {
  const keys = new Map();
  const add = (name, ks) => keys.set(name, new Set([...(keys.get(name) ?? []), ...ks]));
  for (const o of objects) {
    if (o.kind === "Secret") add(o.metadata.name, [...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {})]);
    if (o.kind === "ExternalSecret") add(o.spec.target?.name ?? o.metadata.name, (o.spec.data ?? []).map((d) => d.secretKey));
    if (o.kind === "Certificate") add(o.spec.secretName, ["tls.crt", "tls.key", "ca.crt"]);
  }
  return keys;
}

function configMapData(objects) {
  const maps = new Map();
  for (const o of objects) if (o.kind === "ConfigMap") maps.set(o.metadata.name, o.data ?? {});
  return maps;
}

// Whether the network policies let pods labelled `from` open TCP `port` on pods labelled `to`.
function allowed(objects, from, to, port) {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const portOk = (rule) => !rule.ports || rule.ports.some((p) => p.port === port);
  // An empty podSelector ({}) selects every pod, as matches() does for it.
  const governs = (p, labels) => matches(p.spec.podSelector, labels);
  const egressPolicies = policies.filter((p) => (p.spec.policyTypes ?? []).includes("Egress") && governs(p, from));
  const ingressPolicies = policies.filter((p) => (p.spec.policyTypes ?? []).includes("Ingress") && governs(p, to));
  const egressOk =
    egressPolicies.length === 0 ||
    egressPolicies.some((p) => (p.spec.egress ?? []).some((r) => portOk(r) && (r.to ?? []).some((t) => matches(t.podSelector, to))));
  const ingressOk =
    ingressPolicies.length === 0 ||
    ingressPolicies.some((p) => (p.spec.ingress ?? []).some((r) => portOk(r) && (r.from ?? []).some((f) => matches(f.podSelector, from))));
  return egressOk && ingressOk;
}

function checkWorkload(d, ctx, problems) {
  const spec = d.spec.template.spec;
  const podLabels = d.spec.template.metadata?.labels ?? {};
  const where = id(d);
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  for (const v of spec.volumes ?? []) {
    const refs = [];
    if (v.secret) refs.push({ kind: "Secret", name: v.secret.secretName, items: v.secret.items });
    if (v.configMap) refs.push({ kind: "ConfigMap", name: v.configMap.name, items: v.configMap.items });
    for (const s of v.projected?.sources ?? []) {
      if (s.secret) refs.push({ kind: "Secret", name: s.secret.name, items: s.secret.items });
      if (s.configMap) refs.push({ kind: "ConfigMap", name: s.configMap.name, items: s.configMap.items });
    }
    for (const r of refs) {
      const keys = r.kind === "Secret" ? ctx.secrets.get(r.name) : ctx.configMaps.has(r.name) ? new Set(Object.keys(ctx.configMaps.get(r.name))) : undefined;
      if (!keys) problems.push(`${where}: volume ${v.name} needs ${r.kind} ${r.name}, which the overlay lacks`);
      else for (const it of r.items ?? []) if (!keys.has(it.key)) problems.push(`${where}: volume ${v.name} needs key ${it.key} of ${r.kind} ${r.name}`);
    }
  }
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  for (const c of containers) {
    const cwhere = `${where} container ${c.name}`;
    const env = new Map();
    for (const ef of c.envFrom ?? []) {
      if (ef.configMapRef) {
        const data = ctx.configMaps.get(ef.configMapRef.name);
        if (!data) problems.push(`${cwhere}: envFrom ConfigMap ${ef.configMapRef.name} is not in the overlay`);
        else for (const [k, v] of Object.entries(data)) env.set(k, v);
      }
      if (ef.secretRef && !ctx.secrets.has(ef.secretRef.name)) problems.push(`${cwhere}: envFrom Secret ${ef.secretRef.name} is not in the overlay`);
    }
    for (const e of c.env ?? []) {
      const sk = e.valueFrom?.secretKeyRef;
      const ck = e.valueFrom?.configMapKeyRef;
      if (sk && !ctx.secrets.get(sk.name)?.has(sk.key)) problems.push(`${cwhere}: env ${e.name} needs key ${sk.key} of Secret ${sk.name}`);
      if (ck && !(ck.key in (ctx.configMaps.get(ck.name) ?? {}))) problems.push(`${cwhere}: env ${e.name} needs key ${ck.key} of ConfigMap ${ck.name}`);
      env.set(e.name, e.value ?? "(from a reference)");
    }
    const command = [...(c.command ?? []), ...(c.args ?? [])];
    const binary = command.length ? basename(command[0]) : undefined;
    const flags = binary ? ctx.flags[binary] : undefined;
    if (!flags) continue; // not one of ours (e.g. the database)
    const args = command.slice(1);
    for (const a of args) {
      const m = /^--([a-z0-9_]+)/.exec(a);
      if (!m || !flags.has(m[1])) problems.push(`${cwhere}: argument ${a} is not a flag of ${binary}`);
    }
    for (const name of env.keys()) {
      const f = flagOfEnv(name);
      if (f !== null && !flags.has(f)) problems.push(`${cwhere}: ${name} names --${f}, which ${binary} does not accept`);
    }
    // Files the flags name must be inside a mounted volume (and be one of its items, if listed).
    for (const [name, value] of env) {
      if (!name.endsWith("_FILE") || !name.startsWith("SLA_")) continue;
      const mount = (c.volumeMounts ?? []).find((m) => value.startsWith(m.mountPath + "/"));
      if (!mount) {
        problems.push(`${cwhere}: ${name}=${value} is in no mounted volume`);
        continue;
      }
      const v = volumes.get(mount.name);
      const items = v?.secret?.items ?? v?.configMap?.items;
      const rel = value.slice(mount.mountPath.length + 1);
      if (items && !items.some((i) => i.path === rel)) problems.push(`${cwhere}: ${name}=${value} is not an item of volume ${mount.name}`);
      if (!v) problems.push(`${cwhere}: mount ${mount.name} has no volume`);
    }
    if ((spec.initContainers ?? []).includes(c)) continue;

    // The service container: a gRPC service, or the HTTP gateway.
    const http = binary === "sla-gateway";
    const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    const servingPort = Number(env.get("SLA_PORT"));
    const portName = http ? "http" : "grpc";
    if (ports.get(portName) !== servingPort) problems.push(`${cwhere}: port "${portName}" ${ports.get(portName)} is not SLA_PORT ${env.get("SLA_PORT")}`);
    if (http) {
      // HTTP probes of /healthz on the serving port (by name or number).
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const g = c[probe]?.httpGet;
        const port = typeof g?.port === "string" ? ports.get(g.port) : g?.port;
        if (!g || g.path !== "/healthz" || port !== servingPort) problems.push(`${cwhere}: ${probe} must be an HTTP GET of /healthz on port ${servingPort}`);
      }
    } else {
      const healthPort = Number(env.get("SLA_HEALTH_PORT"));
      if (!healthPort || ports.get("health") !== healthPort) problems.push(`${cwhere}: port "health" ${ports.get("health")} is not SLA_HEALTH_PORT ${env.get("SLA_HEALTH_PORT")}`);
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const p = c[probe];
        if (!p?.grpc) problems.push(`${cwhere}: ${probe} must be a native gRPC probe`);
        else if (p.grpc.port !== healthPort) problems.push(`${cwhere}: ${probe} probes port ${p.grpc.port}, not the health port ${healthPort}`);
      }
    }
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.cpu || !c.resources?.limits?.memory) {
      problems.push(`${cwhere}: resource requests and limits (cpu and memory) are required`);
    }
    const sc = c.securityContext ?? {};
    if (sc.readOnlyRootFilesystem !== true || sc.allowPrivilegeEscalation !== false) problems.push(`${cwhere}: needs a read-only root and no privilege escalation`);
    if (spec.securityContext?.runAsNonRoot !== true) problems.push(`${where}: pod must run as non-root`);
    const drain = Number(env.get("SLA_DRAIN_SECONDS") ?? (http ? 0 : 10));
    const preStop = Number(c.lifecycle?.preStop?.exec?.command?.at(-1) ?? 0);
    if (!(spec.terminationGracePeriodSeconds > drain + preStop)) {
      problems.push(`${where}: terminationGracePeriodSeconds ${spec.terminationGracePeriodSeconds} must exceed drain ${drain} s + preStop ${preStop} s`);
    }
    if (ctx.requireTls && !http && (!env.has("SLA_TLS_CERT_FILE") || !env.has("SLA_PEER_TLS_CA_FILE") || env.get("SLA_ALLOW_INSECURE_NON_LOOPBACK") === "true")) {
      problems.push(`${cwhere}: prod serves and calls with TLS only (SLA_TLS_CERT_FILE, SLA_PEER_TLS_CA_FILE)`);
    }
    // The gateway's TLS: mutual TLS to the services; HTTPS is the Ingress's (checked below).
    if (ctx.requireTls && http && !["SLA_PEER_TLS_CA_FILE", "SLA_PEER_TLS_CERT_FILE", "SLA_PEER_TLS_KEY_FILE"].every((k) => env.has(k))) {
      problems.push(`${cwhere}: prod calls the services with mutual TLS (SLA_PEER_TLS_CA_FILE, _CERT_FILE, _KEY_FILE)`);
    }
    if (ctx.twoReplicas.has(d.metadata.name) && !(d.spec.replicas >= 2)) problems.push(`${where}: needs at least 2 replicas`);

    // Services in front of it, its HPA and PDB.
    const services = ctx.objects.filter((o) => o.kind === "Service" && o.spec.selector && matches({ matchLabels: o.spec.selector }, podLabels));
    if (!services.length) problems.push(`${where}: no Service selects its pods`);
    for (const s of services) {
      for (const sp of s.spec.ports) {
        const target = typeof sp.targetPort === "string" ? ports.get(sp.targetPort) : sp.targetPort ?? sp.port;
        if (target !== servingPort) problems.push(`${id(s)}: port ${sp.port} targets ${sp.targetPort}, not the container's ${portName} port ${servingPort}`);
        if (sp.appProtocol !== portName) problems.push(`${id(s)}: port ${sp.port} needs appProtocol: ${portName}`);
      }
    }
    if (http) {
      // Front ends reach it through an Ingress that streams responses (Server-Sent Events).
      const names = new Set(services.map((s) => s.metadata.name));
      const ingresses = ctx.objects.filter((o) => o.kind === "Ingress" &&
        (o.spec.rules ?? []).some((r) => (r.http?.paths ?? []).some((p) => names.has(p.backend?.service?.name))));
      if (!ingresses.length) problems.push(`${where}: no Ingress routes to it`);
      for (const ing of ingresses) {
        const a = ing.metadata.annotations ?? {};
        if (a["nginx.ingress.kubernetes.io/proxy-buffering"] !== "off") problems.push(`${id(ing)}: response buffering must be off (event streams)`);
        if (!(Number(a["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 60)) problems.push(`${id(ing)}: proxy-read-timeout must outlast idle event streams (≥ 60 s)`);
        if (ctx.requireTls && !(ing.spec.tls ?? []).length) problems.push(`${id(ing)}: prod serves HTTPS only (spec.tls)`);
      }
    }
    const hpa = ctx.objects.find((o) => o.kind === "HorizontalPodAutoscaler" && o.spec.scaleTargetRef?.name === d.metadata.name);
    if (!hpa) problems.push(`${where}: no HorizontalPodAutoscaler`);
    else if (ctx.twoReplicas.has(d.metadata.name) && !(hpa.spec.minReplicas >= 2)) problems.push(`${id(hpa)}: minReplicas must be at least 2`);
    const pdb = ctx.objects.find((o) => o.kind === "PodDisruptionBudget" && matches(o.spec.selector, podLabels));
    if (!pdb || pdb.spec.maxUnavailable !== 1) problems.push(`${where}: needs a PodDisruptionBudget with maxUnavailable: 1`);

    // Peers: host:port of a Service of the overlay, reachable under the network policies.
    for (const [name, value] of env) {
      if (!/^SLA_[A-Z]+_ADDRESS$/.test(name)) continue;
      const [host, portText] = value.split(":");
      const port = Number(portText);
      const target = ctx.objects.find((o) => o.kind === "Service" && o.metadata.name === host);
      if (!target || !target.spec.ports.some((p) => p.port === port)) {
        problems.push(`${cwhere}: ${name}=${value} is no Service port of the overlay`);
        continue;
      }
      const callee = ctx.objects.find((o) => o.kind === "Deployment" && matches({ matchLabels: target.spec.selector }, o.spec.template.metadata?.labels ?? {}));
      const calleePorts = callee?.spec.template.spec.containers[0].ports ?? [];
      const sp = target.spec.ports.find((p) => p.port === port);
      const podPort = typeof sp.targetPort === "string" ? calleePorts.find((p) => p.name === sp.targetPort)?.containerPort : sp.targetPort ?? sp.port;
      if (!callee || !allowed(ctx.objects, podLabels, callee.spec.template.metadata.labels, podPort)) {
        problems.push(`${cwhere}: the network policies do not let it reach ${value}`);
      }
    }
  }
}

async function checkOverlay(path, objects, flags) {
  const problems = [];
  for (const o of objects) {
    const Model = o.apiVersion && o.kind ? await modelFor(o.apiVersion, o.kind) : undefined;
    if (!Model) {
      problems.push(`${id(o)}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(o).validate();
    } catch (e) {
      problems.push(`${id(o)}: ${e.message}`);
    }
  }
  const ctx = {
    objects,
    flags,
    secrets: secretKeys(objects),
    configMaps: configMapData(objects),
    requireTls: /prod/.test(basename(path)),
    twoReplicas: new Set(["ticket-svc", "billing-svc", "sla-gateway"]),
  };
  const ours = objects.filter((o) => (o.kind === "Deployment" || o.kind === "StatefulSet") && o.spec?.template?.spec);
  for (const d of ours) checkWorkload(d, ctx, problems);
  for (const svc of Object.keys(flags)) {
    if (!svc.endsWith("-svc") && svc !== "sla-gateway") continue;
    if (!objects.some((o) => o.kind === "Deployment" && o.metadata.name === svc)) problems.push(`${path}: no Deployment of ${svc}`);
  }
  const denyAll = objects.some(
    (o) => o.kind === "NetworkPolicy" && Object.keys(o.spec.podSelector ?? {}).length === 0 &&
      ["Ingress", "Egress"].every((t) => (o.spec.policyTypes ?? []).includes(t)) && !o.spec.ingress && !o.spec.egress,
  );
  if (!denyAll) problems.push(`${path}: no default-deny NetworkPolicy`);
  return problems;
}

// Known breaks of a valid overlay, each of which the checks must catch.
const BREAKS = [
  ["an unknown flag in a ConfigMap", (objs) => { objs.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("ticket-svc-flags")).data.SLA_NO_SUCH_FLAG = "1"; }],
  ["a Secret key that does not exist", (objs) => {
    const d = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "contract-svc");
    d.spec.template.spec.volumes.find((v) => v.name === "jwt").secret.items[0].key = "missing.key";
  }],
  ["a probe on the gRPC port", (objs) => {
    objs.find((o) => o.kind === "Deployment" && o.metadata.name === "billing-svc").spec.template.spec.containers[0].livenessProbe.grpc.port = 50053;
  }],
  ["a container port that disagrees with SLA_PORT", (objs) => {
    objs.find((o) => o.kind === "Deployment" && o.metadata.name === "reporting-svc").spec.template.spec.containers[0].ports[0].containerPort = 9999;
  }],
  ["one replica of ticket-svc", (objs) => { objs.find((o) => o.kind === "Deployment" && o.metadata.name === "ticket-svc").spec.replicas = 1; }],
  ["a schema violation", (objs) => { objs.find((o) => o.kind === "Service").spec.ports[0].port = "fifty"; }],
  ["a network policy that forgets a call", (objs) => { objs.splice(objs.findIndex((o) => o.kind === "NetworkPolicy" && o.metadata.name === "billing-svc-egress"), 1); }],
  ["a grace period shorter than the drain", (objs) => { objs.find((o) => o.kind === "Deployment" && o.metadata.name === "contract-svc").spec.template.spec.terminationGracePeriodSeconds = 10; }],
  ["buffering at the gateway's Ingress", (objs) => {
    delete objs.find((o) => o.kind === "Ingress" && o.metadata.name === "sla-gateway").metadata.annotations["nginx.ingress.kubernetes.io/proxy-buffering"];
  }],
  ["a gateway probe of another path", (objs) => {
    objs.find((o) => o.kind === "Deployment" && o.metadata.name === "sla-gateway").spec.template.spec.containers[0].readinessProbe.httpGet.path = "/";
  }],
  ["a gateway the network policies keep from billing-svc", (objs) => {
    const p = objs.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "sla-gateway-egress");
    p.spec.egress = p.spec.egress.filter((r) => r.to[0].podSelector.matchLabels["app.kubernetes.io/name"] !== "billing-svc");
  }],
  ["an object of an unknown kind", (objs) => { objs.push({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }); }],
];

async function main() {
  const argv = process.argv.slice(2);
  const selfTest = argv.includes("--self-test");
  const dirAt = argv.indexOf("--help-dir");
  if (dirAt < 0) throw new Error("usage: check.mjs [--self-test] --help-dir DIR OVERLAY.yaml...");
  const flags = loadFlags(argv[dirAt + 1]);
  const files = argv.filter((a, i) => !a.startsWith("--") && i !== dirAt + 1);
  if (Object.keys(flags).length === 0 || files.length === 0) throw new Error("no --help files or no overlays given");
  let failed = 0;
  if (!selfTest) {
    for (const f of files) {
      const objects = loadOverlay(f);
      const problems = await checkOverlay(f, objects, flags);
      console.log(`${basename(f)}: ${objects.length} objects, ${problems.length ? problems.length + " problem(s)" : "all checks hold"}`);
      for (const p of problems) console.log(`  - ${p}`);
      if (problems.length) failed++;
    }
  } else {
    const base = loadOverlay(files[0]);
    const clean = await checkOverlay(files[0], structuredClone(base), flags);
    if (clean.length) {
      console.log(`self-test: ${files[0]} is not clean to begin with:\n  - ${clean.join("\n  - ")}`);
      failed++;
    }
    const known = new Set(clean);
    for (const [what, breakIt] of BREAKS) {
      const objs = structuredClone(base);
      breakIt(objs);
      const fresh = (await checkOverlay(files[0], objs, flags)).filter((p) => !known.has(p));
      console.log(`self-test: ${what}: ${fresh.length ? "caught (" + fresh[0] + ")" : "NOT caught"}`);
      if (!fresh.length) failed++;
    }
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(2);
});
