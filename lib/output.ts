import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Writing output so that nothing is ever half-written: files go to a
 * temporary sibling first and are renamed into place. Every step that
 * writes files (the Kubernetes synth, the k3s step, the credentials store)
 * goes through here.
 */

/** One file of output. */
export interface OutputFile {
  /** Path relative to the output directory; no `..`. */
  readonly name: string;
  readonly content: string;
  /** @default 0o644 */
  readonly mode?: number;
}

/** Raised when output cannot be written; the message names the path. */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.message ?? String(e);
}

function tmpName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
}

/** Writes one file atomically with the given mode (the mode is set before the content lands). */
export function writeFileAtomic(file: string, content: string, mode = 0o644): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = tmpName(file);
    fs.writeFileSync(tmp, content, { mode, flag: 'wx' });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (e) {
    throw new OutputError(`cannot write ${file} (${describe(e)}); check that the folder exists and is writable`);
  }
}

/**
 * Replaces the directory `dir` with exactly `files`. The new tree is built in
 * a temporary sibling and swapped in with renames, so a failure at any point
 * leaves the previous `dir` as it was.
 */
export function replaceDirectory(dir: string, files: readonly OutputFile[], dirMode = 0o755): void {
  const parent = path.dirname(path.resolve(dir));
  const staging = tmpName(path.resolve(dir));
  try {
    fs.mkdirSync(parent, { recursive: true });
    fs.accessSync(parent, fs.constants.W_OK);
  } catch (e) {
    throw new OutputError(`cannot write to ${parent} (${describe(e)}); choose a writable output folder`);
  }
  try {
    fs.mkdirSync(staging, { mode: dirMode });
    fs.chmodSync(staging, dirMode);
    for (const file of files) {
      const target = path.join(staging, file.name);
      if (!target.startsWith(staging + path.sep)) throw new Error(`output name '${file.name}' leaves the folder`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, file.content, { mode: file.mode ?? 0o644, flag: 'wx' });
      fs.chmodSync(target, file.mode ?? 0o644);
    }
  } catch (e) {
    removeQuietly(staging);
    throw new OutputError(`cannot write the new ${dir} (${describe(e)}); the previous one is unchanged`);
  }
  const old = tmpName(path.resolve(dir));
  const hadOld = fs.existsSync(dir);
  try {
    if (hadOld) fs.renameSync(dir, old);
    try {
      fs.renameSync(staging, dir);
    } catch (e) {
      if (hadOld) fs.renameSync(old, dir);
      throw e;
    }
  } catch (e) {
    removeQuietly(staging);
    throw new OutputError(`cannot replace ${dir} (${describe(e)}); the previous one is unchanged`);
  }
  if (hadOld) removeQuietly(old);
}

function removeQuietly(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    // Best effort: a leftover temporary folder is harmless.
  }
}
