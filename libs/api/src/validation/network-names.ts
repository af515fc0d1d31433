// Host, address and path syntax checks used by networking and discovery kinds
// (k8s.io/apimachinery/pkg/util/validation and pkg/apis/core/validation). Like names.ts,
// each returns apimachinery's messages; functions taking a `field` return causes, as
// their upstream counterparts return a field.ErrorList.

import { isIP, isIPv4, isIPv6 } from 'node:net';
import { causes } from '../status';
import type { StatusCause } from '../status';
import { isDNS1123Label, isDNS1123Subdomain, maxLenError, regexError } from './names';

const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_ERR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const WILDCARD_FMT = `\\*\\.${DNS1123_SUBDOMAIN_FMT}`;
const WILDCARD_ERR =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/** IsDNS1035Label (Service names, hence Ingress backend service names). */
export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!new RegExp(`^${DNS1035_LABEL_FMT}$`).test(v)) errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

/** IsWildcardDNS1123Subdomain: `*.example.com`. */
export function isWildcardDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLenError(253));
  if (!new RegExp(`^${WILDCARD_FMT}$`).test(v)) errs.push(regexError(WILDCARD_ERR, WILDCARD_FMT, '*.example.com'));
  return errs;
}

/** content.IsPathSegmentName: what may appear as one segment of a REST path. */
export function isPathSegmentName(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  const errs: string[] = [];
  for (const illegal of ['/', '%']) if (v.includes(illegal)) errs.push(`may not contain '${illegal}'`);
  return errs;
}

/** An object reference's `kind` and `name`: each required and a valid REST path segment. */
export function validateReferenceKindAndName(ref: Record<string, unknown>, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const key of ['kind', 'name']) {
    const value = typeof ref[key] === 'string' ? ref[key] : '';
    if (!value) out.push(causes.required(`${path}.${key}`));
    else for (const m of isPathSegmentName(value)) out.push(causes.invalid(`${path}.${key}`, value, m));
  }
  return out;
}

/** True for anything ParseIPSloppy accepts (an IPv4 or IPv6 address). */
export function looksLikeIP(v: string): boolean {
  return isIP(v) !== 0;
}

export function validateIPv4Address(v: string, field: string): StatusCause[] {
  return isIPv4(v) ? [] : [causes.invalid(field, v, 'must be a valid IPv4 address')];
}

export function validateIPv6Address(v: string, field: string): StatusCause[] {
  return isIPv6(v) ? [] : [causes.invalid(field, v, 'must be a valid IPv6 address')];
}

/** ValidateNonSpecialIP: endpoints may not point at unspecified, loopback or link-local addresses. */
export function validateNonSpecialIP(v: string, field: string): StatusCause[] {
  const lower = v.toLowerCase();
  if (isIPv4(v)) {
    const [a, b, c] = v.split('.').map(Number);
    if (v === '0.0.0.0') return [causes.invalid(field, v, 'may not be unspecified (0.0.0.0)')];
    if (a === 127) return [causes.invalid(field, v, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
    if (a === 169 && b === 254) return [causes.invalid(field, v, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
    if (a === 224 && b === 0 && c === 0) return [causes.invalid(field, v, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  } else if (isIPv6(v)) {
    if (/^(0*:)*:?0*$/.test(lower) || lower === '::') return [causes.invalid(field, v, 'may not be unspecified (::)')];
    if (lower === '::1') return [causes.invalid(field, v, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
    if (/^fe[89ab][0-9a-f]:/.test(lower)) return [causes.invalid(field, v, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
    if (/^ff02:/.test(lower)) return [causes.invalid(field, v, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  }
  return [];
}

/** A parsed CIDR: address bytes, prefix length and family. */
export interface ParsedCIDR {
  bytes: number[];
  prefix: number;
}

export function parseCIDR(v: string): ParsedCIDR | undefined {
  const slash = v.indexOf('/');
  if (slash < 0) return undefined;
  const ip = v.slice(0, slash);
  const prefixText = v.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (isIPv4(ip)) return prefix <= 32 ? { bytes: ip.split('.').map(Number), prefix } : undefined;
  if (isIPv6(ip)) return prefix <= 128 ? { bytes: ipv6Bytes(ip), prefix } : undefined;
  return undefined;
}

function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
}

/** `inner` lies within `outer` and is strictly narrower (NetworkPolicy ipBlock.except). */
export function isStrictSubnet(inner: ParsedCIDR, outer: ParsedCIDR): boolean {
  if (inner.bytes.length !== outer.bytes.length || inner.prefix <= outer.prefix) return false;
  for (let bit = 0; bit < outer.prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((inner.bytes[byte] & mask) !== (outer.bytes[byte] & mask)) return false;
  }
  return true;
}

/** IsValidCIDRForLegacyField without the legacy allowances. */
export function validateCIDR(v: string, field: string): StatusCause[] {
  return parseCIDR(v) ? [] : [causes.invalid(field, v, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/** IsFullyQualifiedDomainName: a lower-cased subdomain with at least two labels. */
export function validateFullyQualifiedDomainName(v: string, field: string): StatusCause[] {
  const name = v.toLowerCase().replace(/\.$/, '');
  const errs = isDNS1123Subdomain(name).map((m) => causes.invalid(field, name, m));
  if (errs.length > 0) return errs;
  const labels = name.split('.');
  if (labels.length < 2) return [causes.invalid(field, name, 'should be a domain with at least two segments separated by dots')];
  for (const label of labels) for (const m of isDNS1123Label(label)) errs.push(causes.invalid(field, label, m));
  return errs;
}

/** IsDomainPrefixedPath (IngressClass controllers): `example.com/ingress-controller`. */
export function validateDomainPrefixedPath(v: string, field: string): StatusCause[] {
  if (!v) return [causes.required(field)];
  const slash = v.indexOf('/');
  const host = slash < 0 ? v : v.slice(0, slash);
  const path = slash < 0 ? '' : v.slice(slash + 1);
  if (slash < 0 || !host || !path) return [causes.invalid(field, v, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => causes.invalid(field, host, m));
  if (!new RegExp(`^${HTTP_PATH_FMT}$`).test(path)) errs.push(causes.invalid(field, path, regexError('Invalid path', HTTP_PATH_FMT)));
  return errs;
}
