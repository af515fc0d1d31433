// The string formats kube-openapi checks in custom resources (strfmt's default
// registry as apiextensions uses it). Unknown formats are not checked, as upstream.
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names';

const RE: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  uuid: /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/,
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  mac: /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/,
  byte: /^[A-Za-z0-9+/]*={0,2}$/,
  duration: /^([+-]?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+|0)$/,
  cidr: /^[0-9a-fA-F.:]+\/\d{1,3}$/,
};

/** True when `v` does not have format `format`; false for formats not checked. */
export function checkFormat(format: string, v: string): boolean {
  switch (format) {
    case 'ipv6':
      return !isIPv6(v);
    case 'hostname':
      return isDNS1123Subdomain(v).length > 0;
    case 'dns1123label':
      return isDNS1123Label(v).length > 0;
    case 'byte':
      return v.length % 4 !== 0 || !RE.byte.test(v);
    default:
      return RE[format] ? !RE[format].test(v) : false;
  }
}

function isIPv6(v: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(v) || !v.includes(':')) return false;
  const parts = v.split('::');
  if (parts.length > 2) return false;
  const groups = parts.flatMap((p) => (p ? p.split(':') : []));
  return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g) || RE.ipv4.test(g)) && (parts.length === 2 ? groups.length < 8 : groups.length === 8);
}
