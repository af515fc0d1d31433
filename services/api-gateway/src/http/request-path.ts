// The request path exactly as the client sent it. WHATWG URL parsing (`new URL(...).pathname`)
// resolves `.`/`..` segments — percent-encoded ones too (`%2E%2E`) — and reads `\` as `/`,
// so `DELETE /api/v1/namespaces/victim/configmaps/%2E%2E` became a DELETE of the namespace.
// Go's net/http, which kube-apiserver runs on, does neither: segments reach RequestInfo as
// sent, are decoded once, and names `.`/`..` are refused (content.IsValidPathSegmentName).

/** The raw path of an origin-form (`/a/b?q`) or absolute-form (`https://h/a/b?q`) request target. */
export function rawPathOf(target: string | undefined): string {
  let t = target ?? '/';
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(t);
  if (absolute) t = t.slice(absolute[0].length);
  const end = t.search(/[?#]/);
  const path = end < 0 ? t : t.slice(0, end);
  return path.startsWith('/') ? path : `/${path}`;
}

/**
 * The request target as a URL for its query (and logging), never throwing: `new URL(target,
 * base)` reads a target starting with `//` as an authority, so `//a:b` or `//%zz/x` threw
 * "Invalid URL" outside every handler and took the gateway down (found by npm run fuzz).
 */
export function requestUrl(target: string | undefined): URL {
  const t = target ?? '/';
  const url = new URL('https://localhost/');
  url.pathname = rawPathOf(t);
  const q = t.indexOf('?');
  if (q >= 0) url.search = t.slice(q).split('#')[0];
  return url;
}

/**
 * A percent sign not followed by two hex digits in the path: Go's net/http refuses such a
 * request line with 400 before any handler (authentication included) runs, as we do. Every
 * other bad path is kube's handler's 400, after authentication (401 comes first).
 */
export function hasMalformedEscape(path: string): boolean {
  return /%(?![0-9a-fA-F]{2})/.test(path);
}
