import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/**
 * Builds a tiny OCI image layout by hand (one layer holding one file), so
 * the rehearsal pushes an image the test made itself, with known digests.
 */

function sha256(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** A ustar archive with one regular file. */
export function tarOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512, 0);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  const sum = header.reduce((a, b) => a + b, 0);
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512, 0);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024, 0)]);
}

export interface OciImage {
  readonly layout: string;
  readonly tag: string;
  readonly manifestDigest: string;
  readonly layerDigest: string;
}

export function makeOciLayout(dir: string, tag: string, message: string): OciImage {
  const blobs = path.join(dir, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer | string) => {
    const digest = sha256(data);
    fs.writeFileSync(path.join(blobs, digest), data);
    return { digest: `sha256:${digest}`, size: Buffer.byteLength(data) };
  };
  const tar = tarOneFile('hello.txt', Buffer.from(message));
  const layer = put(zlib.gzipSync(tar, { level: 9 }));
  const config = put(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/hello.txt'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(tar)}`] },
  }));
  const manifest = put(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
  }));
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return { layout: dir, tag, manifestDigest: manifest.digest, layerDigest: layer.digest };
}
