// The address written to the metrics-server Endpoints must be an IP (Endpoints validation says so,
// as upstream's does). Under compose the natural setting is the container's service name, whose IP
// changes when the container is recreated, so a name is resolved afresh at every registration.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export async function advertiseIp(address: string): Promise<string> {
  if (isIP(address)) return address;
  const { address: ip } = await lookup(address, { family: 4 });
  return ip;
}
