// What every answer must be: a code kube-apiserver could give (never 5xx), and a body a client
// can read — a failure is a well-formed Status whose code matches the HTTP status, a success
// is an object, a list or a watch stream of events.
import { EXPECTED_CODES, type FuzzRequest } from './requests';

export interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  /** The client stopped reading (a watch after its time budget): the last line may be cut. */
  cut: boolean;
}

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);
const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function allowedCodes(req: FuzzRequest): Set<number> {
  return new Set([...(req.expect ? [...req.expect, 429] : EXPECTED_CODES), ...(req.alsoAllowed ?? [])]);
}

/** A failure Status as kube-apiserver writes it. */
function statusProblem(v: unknown, code: number): string | undefined {
  if (!isObj(v)) return 'error body is not a JSON object';
  if (v.apiVersion !== 'v1' || v.kind !== 'Status') return `error body is ${String(v.apiVersion)}/${String(v.kind)}, not v1 Status`;
  if (v.status !== 'Failure') return `Status.status is ${JSON.stringify(v.status)}`;
  if (v.code !== code) return `Status.code ${JSON.stringify(v.code)} differs from HTTP ${code}`;
  if (typeof v.message !== 'string') return 'Status has no message';
  return undefined;
}

function successProblem(v: unknown, strict: boolean): string | undefined {
  if (!isObj(v)) return 'success body is not a JSON object';
  if (strict && (typeof v.kind !== 'string' || typeof v.apiVersion !== 'string')) return 'success body has no kind/apiVersion';
  if (v.kind === 'Status' && v.status !== 'Success') return `2xx with a ${JSON.stringify(v.status)} Status`;
  if (typeof v.kind === 'string' && v.kind.endsWith('List') && v.kind !== 'APIGroupList' && v.kind !== 'APIResourceList' && !Array.isArray(v.items)) return `${v.kind} without items`;
  if (v.kind === 'Table' && (!Array.isArray(v.columnDefinitions) || !Array.isArray(v.rows))) return 'Table without columns or rows';
  return undefined;
}

function watchProblem(text: string, cut: boolean): string | undefined {
  const lines = text.split('\n');
  if (cut) lines.pop(); // the line being written when we stopped
  for (const line of lines) {
    if (!line.trim()) continue;
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      return `watch line is not JSON: ${line.slice(0, 120)}`;
    }
    if (!isObj(ev) || typeof ev.type !== 'string' || !WATCH_TYPES.has(ev.type) || !isObj(ev.object)) return `not a watch event: ${line.slice(0, 120)}`;
    if (ev.type === 'ERROR') {
      const s = ev.object;
      if (s.kind !== 'Status' || s.apiVersion !== 'v1' || typeof s.code !== 'number' || s.code >= 500 && s.code !== 504) return `ERROR event without a proper Status: ${line.slice(0, 200)}`;
    }
  }
  return undefined;
}

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Problems with this answer to this request (empty: fine). */
export function answerProblems(req: FuzzRequest, a: Answer): string[] {
  const problems: string[] = [];
  if (!allowedCodes(req).has(a.status)) problems.push(`HTTP ${a.status} not in the expected set${req.expect ? ` ${JSON.stringify(req.expect)}` : ''}`);
  if (req.method === 'HEAD' || a.status === 431 || a.status === 204) return problems; // no body to read
  const ct = a.contentType.split(';')[0].trim().toLowerCase();
  const text = a.body.toString('utf8');
  let p: string | undefined;
  if (ct === 'application/json') {
    if ((req.watch || a.cut || (req.mayWatch && !isJson(text))) && a.status === 200) p = watchProblem(text, a.cut);
    else {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        v = undefined;
        p = a.cut ? undefined : `body is not JSON: ${text.slice(0, 120)}`;
      }
      if (!p && !a.cut) p = a.status >= 400 ? statusProblem(v, a.status) : successProblem(v, req.generator !== 'path');
    }
  } else if (ct === 'application/yaml') {
    if (a.status >= 400 && !/^kind: Status$/m.test(text)) p = 'YAML error body is no Status';
  } else if (ct === 'application/vnd.kubernetes.protobuf' || ct === 'application/vnd.kubernetes.protobuf;stream=watch') {
    if (!a.body.subarray(0, 4).equals(PROTOBUF_MAGIC) && !(req.watch && a.status === 200)) p = 'protobuf body without the k8s magic';
  } else {
    p = `answer of type ${JSON.stringify(a.contentType)}: ${text.slice(0, 120)}`;
  }
  if (p) problems.push(p);
  return problems;
}
