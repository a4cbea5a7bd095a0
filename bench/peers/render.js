// The peer of `zds render` in make bench-peers: cdk8s-plus synthesizing N
// services of the shape zds renders (bench/peers/main.go writes the zds
// spec of the same N services), hand-tuned to carry the same timing
// settings: a Deployment with readiness and startup probes, a preStop
// sleep, the grace period, minReadySeconds and maxSurge 1 / maxUnavailable
// 0; a Service; an ALB Ingress with IP targets and the deregistration
// delay; a PodDisruptionBudget. (zds adds the namespace label, a fifth
// object per service that cdk8s-plus has no reason to write.)
//
//   node render.js N > out.yaml
'use strict';
const { App, Chart, ApiObject, Duration, Size } = require('cdk8s');
const kplus = require('cdk8s-plus-33');

const n = Number.parseInt(process.argv[2], 10);
if (!(n > 0)) {
  console.error('usage: node render.js N');
  process.exit(2);
}

const app = new App();
for (let i = 0; i < n; i++) {
  const name = `svc${i}`;
  const chart = new Chart(app, name, { namespace: `ns${i % 50}`, disableResourceNameHashes: true });
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  const deployment = new kplus.Deployment(chart, 'deployment', {
    metadata: { name },
    replicas: 3,
    minReady: Duration.seconds(30),
    progressDeadline: Duration.seconds(600),
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    terminationGracePeriod: Duration.seconds(51),
    podMetadata: { labels },
    containers: [{
      name: 'app',
      image: 'ghcr.io/acme/web:1.4.2',
      portNumber: 8080,
      readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080, periodSeconds: Duration.seconds(5), failureThreshold: 2 }),
      startup: kplus.Probe.fromHttpGet('/healthz', { port: 8080, periodSeconds: Duration.seconds(5), failureThreshold: 9 }),
      lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '36']) },
      resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(128) } },
    }],
  });
  const service = deployment.exposeViaService({ name, ports: [{ port: 80, targetPort: 8080 }] });
  const ingress = new kplus.Ingress(chart, 'ingress', {
    metadata: {
      name,
      annotations: {
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=45',
        'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
        'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '10',
        'alb.ingress.kubernetes.io/healthy-threshold-count': '2',
        'alb.ingress.kubernetes.io/unhealthy-threshold-count': '2',
      },
    },
    className: 'alb',
  });
  ingress.addRule('/', kplus.IngressBackend.fromService(service));
  new ApiObject(chart, 'pdb', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
  });
}
process.stdout.write(app.synthYaml());
