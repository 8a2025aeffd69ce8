import { KubeObject } from './validate';

/**
 * Checks that need the whole output: every name one object uses to reach
 * another resolves inside `dist/`, so `kubectl apply -f dist/` leaves nothing
 * dangling. Returns one line per broken reference.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterIssuer']);
const MIDDLEWARES = 'traefik.ingress.kubernetes.io/router.middlewares';

export function referenceProblems(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const find = (kind: string, namespace: string | undefined, name: string): Any =>
    objects.find((o) => o.kind === kind && o.metadata?.name === name && (CLUSTER_SCOPED.has(kind) || o.metadata?.namespace === namespace));
  const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata?.name));
  /** Keys of the Secret `name` as it will exist in the cluster: written out, or unsealed from a SealedSecret. */
  const secretKeys = (namespace: string | undefined, name: string): string[] | undefined => {
    const plain = find('Secret', namespace, name);
    if (plain) return [...Object.keys(plain.stringData ?? {}), ...Object.keys(plain.data ?? {})];
    const sealed = find('SealedSecret', namespace, name);
    return sealed ? Object.keys(sealed.spec?.encryptedData ?? {}) : undefined;
  };

  for (const obj of objects as Any[]) {
    const ns: string | undefined = obj.metadata?.namespace;
    const me = `${obj.kind} ${ns ? ns + '/' : ''}${obj.metadata?.name}`;
    const bad = (msg: string) => problems.push(`${me}: ${msg}`);
    /** The TLS secret must be issued by a Certificate in this namespace whose dnsNames cover every host. */
    const checkTls = (secretName: string | undefined, hosts: Iterable<string>): void => {
      const cert = objects.find((o: Any) => o.kind === 'Certificate' && o.metadata?.namespace === ns && o.spec?.secretName === secretName) as Any;
      if (!secretName) bad('has no TLS secretName');
      else if (!cert) bad(`spec.tls secret '${secretName}' is not issued by any Certificate`);
      else for (const host of hosts) if (!(cert.spec.dnsNames ?? []).includes(host)) bad(`host '${host}' is not in Certificate ${cert.metadata.name}'s dnsNames`);
    };

    if (!CLUSTER_SCOPED.has(obj.kind)) {
      if (!ns) bad('has no namespace');
      else if (!namespaces.has(ns)) bad(`namespace '${ns}' is not created by this output`);
    }

    if (obj.kind === 'Ingress') {
      for (const tls of obj.spec?.tls ?? []) checkTls(tls.secretName, tls.hosts ?? []);
      for (const rule of obj.spec?.rules ?? []) {
        if (!(obj.spec?.tls ?? []).some((t: Any) => (t.hosts ?? []).includes(rule.host))) bad(`host '${rule.host}' has no TLS entry`);
        for (const p of rule.http?.paths ?? []) {
          const svcName = p.backend?.service?.name;
          const svc = find('Service', ns, svcName);
          if (!svc) bad(`backend Service '${svcName}' does not exist`);
          else if (!svc.spec.ports.some((sp: Any) => sp.port === p.backend.service.port?.number)) bad(`backend port ${p.backend.service.port?.number} is not a port of Service '${svcName}'`);
        }
      }
      const refs: string[] = (obj.metadata?.annotations?.[MIDDLEWARES] ?? '').split(',').filter((r: string) => r);
      for (const ref of refs) {
        const match = /^(.+)@kubernetescrd$/.exec(ref);
        const mw = match && objects.find((o) => o.kind === 'Middleware' && `${o.metadata?.namespace}-${o.metadata?.name}` === match[1]) as Any;
        if (!mw) {
          bad(`middleware '${ref}' is not defined by any Middleware`);
        } else if (mw.spec?.basicAuth?.secret && !secretKeys(mw.metadata.namespace, mw.spec.basicAuth.secret)) {
          bad(`middleware '${ref}' reads Secret '${mw.spec.basicAuth.secret}', which does not exist`);
        }
      }
    }

    if (obj.kind === 'IngressRoute') {
      const hosts = new Set<string>();
      for (const route of obj.spec?.routes ?? []) {
        for (const m of String(route.match).matchAll(/Host\(`([^`]+)`\)/g)) hosts.add(m[1]);
        for (const svc of route.services ?? []) {
          const target = find('Service', svc.namespace ?? ns, svc.name);
          if (!target) bad(`route service '${svc.name}' does not exist`);
          else if (!target.spec.ports.some((sp: Any) => sp.port === svc.port)) bad(`route port ${svc.port} is not a port of Service '${svc.name}'`);
        }
        for (const mw of route.middlewares ?? []) {
          if (!find('Middleware', mw.namespace ?? ns, mw.name)) bad(`route middleware '${mw.namespace ?? ns}/${mw.name}' is not defined by any Middleware`);
        }
      }
      checkTls(obj.spec?.tls?.secretName, hosts);
    }

    if (obj.kind === 'Service' && obj.spec?.selector) {
      const selector: Record<string, string> = obj.spec.selector;
      const targets = objects.filter((o: Any) => o.kind === 'Deployment' && o.metadata?.namespace === ns
        && Object.entries(selector).every(([k, v]) => o.spec?.template?.metadata?.labels?.[k] === v)) as Any[];
      if (targets.length !== 1) bad(`selector matches ${targets.length} Deployments; expected exactly 1`);
      for (const port of obj.spec.ports ?? []) {
        const open = targets.some((d) => d.spec.template.spec.containers.some((c: Any) =>
          (c.ports ?? []).some((cp: Any) => cp.containerPort === port.targetPort || cp.name === port.targetPort)));
        if (targets.length === 1 && !open) bad(`targetPort ${port.targetPort} is not a container port`);
      }
    }

    if (obj.kind === 'SealedSecret') {
      const tm = obj.spec?.template?.metadata ?? {};
      if ((tm.name && tm.name !== obj.metadata?.name) || (tm.namespace && tm.namespace !== ns)) {
        bad(`spec.template.metadata names ${tm.namespace}/${tm.name}; the controller unseals into ${ns}/${obj.metadata?.name} only`);
      }
    }

    if (obj.kind === 'Deployment') {
      const pod = obj.spec?.template?.spec ?? {};
      const selector = obj.spec?.selector?.matchLabels ?? {};
      for (const [k, v] of Object.entries(selector)) {
        if (pod && obj.spec.template.metadata?.labels?.[k] !== v) bad(`selector label ${k}=${v} is not on the pod template`);
      }
      for (const vol of pod.volumes ?? []) {
        if (vol.persistentVolumeClaim && !find('PersistentVolumeClaim', ns, vol.persistentVolumeClaim.claimName)) bad(`volume '${vol.name}' uses missing PersistentVolumeClaim '${vol.persistentVolumeClaim.claimName}'`);
        if (vol.configMap && !find('ConfigMap', ns, vol.configMap.name)) bad(`volume '${vol.name}' uses missing ConfigMap '${vol.configMap.name}'`);
      }
      for (const c of pod.containers ?? []) {
        for (const env of c.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (!ref) continue;
          const keys = secretKeys(ns, ref.name);
          if (!keys) bad(`env ${env.name} reads missing Secret '${ref.name}'`);
          else if (!keys.includes(ref.key)) bad(`env ${env.name} reads key '${ref.key}' that Secret '${ref.name}' lacks`);
        }
        for (const m of c.volumeMounts ?? []) {
          if (!(pod.volumes ?? []).some((v: Any) => v.name === m.name)) bad(`container '${c.name}' mounts undefined volume '${m.name}'`);
        }
      }
    }
  }
  return problems;
}
