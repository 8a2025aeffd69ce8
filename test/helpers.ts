import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as bcrypt from 'bcryptjs';
import { buildApp } from '../main';
import { RegistryConfig, resolveConfig } from '../lib/config';
import { toHtpasswd } from '../lib/htpasswd';
import { renderManifests } from '../lib/manifests';
import { Sealer } from '../lib/seal';
import { KubeObject } from '../lib/validate';

/** Fixed test passwords (never real ones) and their bcrypt hashes at cost 4, fixed so snapshots are stable. */
export const TEST_PASSWORDS: Record<string, string> = { admin: 'admin-test-password', pull: 'pull-test-password', ci: 'ci-test-password' };
const HASHES = new Map(Object.entries({
  admin: '$2b$04$7oAmwWUKodkZcBtHw2Kmj.gG5zdEVK4RxmeQO7rTspeSTCIAxJjqi',
  pull: '$2b$04$DNWCAkDNiXQGtXt16s.Jcey1YH0ChIzUIUnjh0tQgtom2D6ayCmB6',
  ci: '$2b$04$Ws5voMyAQND6qfRialrEPOXkIndJuvo8SJqPtNPGTayhI3ykLTVkK',
}));
export const TEST_HTTP_SECRET = 'test-http-secret-0123456789abcdef';

export function testConfig(raw: Record<string, unknown> = {}): RegistryConfig {
  return resolveConfig({ domain: 'example.com', ...raw });
}

/** Synthesizes in memory: the files of dist/ and every object. */
export function synth(raw: Record<string, unknown> = {}, sealer?: Sealer) {
  const config = testConfig(raw);
  const hashes = new Map(config.auth.users.map((u) => [u.name, HASHES.get(u.name) ?? bcrypt.hashSync(`${u.name}-test-password`, 4)]));
  return renderManifests(buildApp({ config, htpasswd: toHtpasswd(hashes), httpSecret: TEST_HTTP_SECRET, sealer }));
}

export function find(objects: readonly KubeObject[], kind: string, name: string): any {
  const obj = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!obj) throw new Error(`no ${kind} ${name} in output`);
  return obj;
}

export function tmpDir(prefix = 'k3s-registry-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
