// A strict parser of the Prometheus text exposition format (version 0.0.4), for tests that
// scrape /metrics: anything a Prometheus server would refuse, or that breaks the format's rules
// for a metric family, is an error naming the line, not silently skipped.
//
// Checked: line grammar (names, quoted and escaped label values, floats incl. NaN/±Inf, optional
// timestamp); at most one HELP and one TYPE per family, TYPE before its samples; each family's
// lines contiguous; no duplicate series; sample names that fit the family's type (histogram
// `_bucket`/`_sum`/`_count`, summary quantiles/`_sum`/`_count`); counters and histogram counts
// never negative; histogram buckets with `le`, cumulative, ending with `+Inf` equal to `_count`.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum`, ... for histograms). */
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

export class ExpositionError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Parses a whole exposition; families by name, in the order they appear. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const closed = new Set<string>(); // families whose lines ended (another family came after)
  const typed = new Set<string>();
  const series = new Set<string>();
  let current: MetricFamily | undefined;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else if (text.length) throw new ExpositionError(lines.length, 'the exposition must end with a line feed');

  const familyFor = (name: string, lineNo: number): MetricFamily => {
    if (current && current.name === name) return current;
    if (closed.has(name)) throw new ExpositionError(lineNo, `lines of metric family ${name} are not contiguous`);
    if (current) closed.add(current.name);
    const f: MetricFamily = { name, type: 'untyped', samples: [] };
    families.set(name, f);
    current = f;
    return f;
  };

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) return; // any other comment
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new ExpositionError(lineNo, `invalid metric name ${JSON.stringify(name)}`);
      const f = familyFor(name, lineNo);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new ExpositionError(lineNo, `second HELP for ${name}`);
        f.help = unescapeHelp(rest, lineNo);
      } else {
        const t = rest.trim() as MetricType;
        if (!TYPES.has(t)) throw new ExpositionError(lineNo, `unknown type ${JSON.stringify(rest)} for ${name}`);
        if (typed.has(name)) throw new ExpositionError(lineNo, `second TYPE for ${name}`);
        if (f.samples.length) throw new ExpositionError(lineNo, `TYPE for ${name} after its samples`);
        f.type = t;
        typed.add(name);
      }
      return;
    }
    const sample = parseSample(line, lineNo);
    const base = current && belongsTo(sample.name, current) ? current.name : sample.name;
    const f = familyFor(base, lineNo);
    if (f.name !== sample.name && !belongsTo(sample.name, f)) throw new ExpositionError(lineNo, `sample ${sample.name} does not fit ${f.type} ${f.name}`);
    if (f.type === 'histogram' && sample.name === f.name) throw new ExpositionError(lineNo, `histogram ${f.name} has a bare sample`);
    const id = `${sample.name}{${Object.keys(sample.labels).sort().map((k) => `${k}=${JSON.stringify(sample.labels[k])}`).join(',')}}`;
    if (series.has(id)) throw new ExpositionError(lineNo, `duplicate series ${id}`);
    series.add(id);
    if (f.type === 'counter' && !(sample.value >= 0)) throw new ExpositionError(lineNo, `counter ${sample.name} is ${sample.value}`);
    if (sample.name.endsWith('_bucket') && f.type === 'histogram' && sample.labels.le === undefined) throw new ExpositionError(lineNo, `histogram bucket without le`);
    f.samples.push(sample);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function belongsTo(sampleName: string, f: MetricFamily): boolean {
  if (sampleName === f.name) return f.type !== 'histogram';
  if (f.type === 'histogram') return [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`].includes(sampleName);
  if (f.type === 'summary') return [`${f.name}_sum`, `${f.name}_count`].includes(sampleName);
  return false;
}

function checkHistogram(f: MetricFamily): void {
  // One histogram per label set (without le): buckets ascending and cumulative, +Inf = _count.
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name.endsWith('_bucket')) g.buckets.push([parseFloatValue(le, 0), s.value]);
    else if (s.name.endsWith('_count')) g.count = s.value;
    else g.sum = s.value;
  }
  for (const [key, g] of groups) {
    const where = `${f.name}${key}`;
    if (g.count === undefined || g.sum === undefined) throw new ExpositionError(0, `histogram ${where} lacks _count or _sum`);
    if (!g.buckets.length || g.buckets[g.buckets.length - 1][0] !== Infinity) throw new ExpositionError(0, `histogram ${where} lacks the +Inf bucket`);
    for (let i = 1; i < g.buckets.length; i++) {
      if (!(g.buckets[i][0] > g.buckets[i - 1][0])) throw new ExpositionError(0, `histogram ${where} buckets are not in ascending le order`);
      if (g.buckets[i][1] < g.buckets[i - 1][1]) throw new ExpositionError(0, `histogram ${where} buckets are not cumulative`);
    }
    if (g.buckets[g.buckets.length - 1][1] !== g.count) throw new ExpositionError(0, `histogram ${where}: +Inf bucket ${g.buckets[g.buckets.length - 1][1]} != _count ${g.count}`);
  }
}

function unescapeHelp(s: string, lineNo: number): string {
  return s.replace(/\\(.)?/g, (_, c: string | undefined) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new ExpositionError(lineNo, `invalid escape \\${c ?? ''} in HELP`);
  });
}

function parseFloatValue(s: string | undefined, lineNo: number): number {
  if (s === undefined) throw new ExpositionError(lineNo, 'missing value');
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new ExpositionError(lineNo, `invalid value ${JSON.stringify(s)}`);
  return Number(s);
}

function parseSample(line: string, lineNo: number): Sample {
  let i = 0;
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new ExpositionError(lineNo, `invalid sample line ${JSON.stringify(line)}`);
  const name = nameMatch[0];
  i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!ln || !LABEL_NAME.test(ln[0])) throw new ExpositionError(lineNo, `invalid label name at column ${i + 1}`);
      const labelName = ln[0];
      if (labelName in labels) throw new ExpositionError(lineNo, `label ${labelName} twice`);
      i += labelName.length;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '=') throw new ExpositionError(lineNo, `expected = after label ${labelName}`);
      i++;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '"') throw new ExpositionError(lineNo, `label ${labelName}'s value is not quoted`);
      i++;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new ExpositionError(lineNo, `unterminated value of label ${labelName}`);
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i + 1];
          if (e === '\\') value += '\\';
          else if (e === '"') value += '"';
          else if (e === 'n') value += '\n';
          else throw new ExpositionError(lineNo, `invalid escape in label ${labelName}`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      labels[labelName] = value;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] !== '}') throw new ExpositionError(lineNo, `expected , or } after label ${labelName}`);
    }
  }
  const rest = line.slice(i);
  if (!/^[ \t]/.test(rest)) throw new ExpositionError(lineNo, `expected a blank before the value of ${name}`);
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length > 2) throw new ExpositionError(lineNo, `trailing fields after the value of ${name}`);
  const value = parseFloatValue(fields[0], lineNo);
  let timestamp: number | undefined;
  if (fields[1] !== undefined) {
    if (!/^-?\d+$/.test(fields[1])) throw new ExpositionError(lineNo, `invalid timestamp ${JSON.stringify(fields[1])}`);
    timestamp = Number(fields[1]);
  }
  return { name, labels, value, timestamp };
}

/**
 * Sum of the samples named `name` whose labels include `labels` (a histogram's `x_count` or
 * `x_bucket` included); undefined when there is no such sample.
 */
export function sampleSum(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  let found = false;
  let sum = 0;
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name || !Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
      found = true;
      sum += s.value;
    }
  }
  return found ? sum : undefined;
}
