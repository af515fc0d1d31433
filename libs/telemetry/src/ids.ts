// Random trace and span ids.
const idBytes = Buffer.alloc(16);

/**
 * A random trace or span id, as the OpenTelemetry SDK's RandomIdGenerator makes them (Math.random,
 * never all zero): these ids only need to be unique enough, and crypto.randomBytes cost a
 * simulated kubelet 1 % of its CPU, once per untraced request.
 */
export function randomHexId(bytes: 8 | 16): string {
  for (let i = 0; i < bytes; i += 4) idBytes.writeUInt32BE((Math.random() * 2 ** 32) >>> 0, i);
  if (idBytes.subarray(0, bytes).every((b) => b === 0)) idBytes[bytes - 1] = 1;
  return idBytes.toString('hex', 0, bytes);
}
