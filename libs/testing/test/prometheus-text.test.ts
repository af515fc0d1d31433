import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ExpositionError, parsePrometheusText, sampleSum } from '../src/prometheus-text';

describe('the strict Prometheus text parser', () => {
  it('reads what prom-client exposes: types, help, escaped labels, histograms', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'apiserver_request_total', help: 'Requests\\ by "code"\nand verb', labelNames: ['verb', 'code'], registers: [registry] });
    c.inc({ verb: 'GET', code: '200' }, 3);
    c.inc({ verb: 'LIST', code: 'a "quoted"\\ \nvalue' });
    new Gauge({ name: 'workqueue_depth', help: 'Depth', labelNames: ['name'], registers: [registry] }).set({ name: 'deployment' }, 2);
    const h = new Histogram({ name: 'etcd_request_duration_seconds', help: 'Latency', labelNames: ['operation'], buckets: [0.01, 0.1, 1], registers: [registry] });
    h.observe({ operation: 'get' }, 0.05);
    h.observe({ operation: 'get' }, 5);
    const families = parsePrometheusText(await registry.metrics());
    expect([...families.keys()]).toEqual(['apiserver_request_total', 'workqueue_depth', 'etcd_request_duration_seconds']);
    const req = families.get('apiserver_request_total')!;
    expect(req.type).toBe('counter');
    expect(req.help).toBe('Requests\\ by "code"\nand verb');
    expect(req.samples).toContainEqual({ name: 'apiserver_request_total', labels: { verb: 'LIST', code: 'a "quoted"\\ \nvalue' }, value: 1, timestamp: undefined });
    expect(sampleSum(families, 'apiserver_request_total')).toBe(4);
    expect(sampleSum(families, 'apiserver_request_total', { verb: 'GET' })).toBe(3);
    expect(sampleSum(families, 'apiserver_request_total', { verb: 'PUT' })).toBeUndefined();
    expect(families.get('etcd_request_duration_seconds')!.type).toBe('histogram');
    expect(sampleSum(families, 'etcd_request_duration_seconds_count', { operation: 'get' })).toBe(2);
    expect(sampleSum(families, 'etcd_request_duration_seconds_bucket', { le: '0.1' })).toBe(1);
    expect(sampleSum(families, 'workqueue_depth', { name: 'deployment' })).toBe(2);
  });

  it('accepts special values, timestamps, comments and untyped samples', () => {
    const f = parsePrometheusText('# a comment\nup 1 1700000000000\nx{a="b",} NaN\ny +Inf\nz -1.5e3\n');
    expect(f.get('up')!.samples[0]).toEqual({ name: 'up', labels: {}, value: 1, timestamp: 1700000000000 });
    expect(f.get('x')!.samples[0].value).toBeNaN();
    expect(f.get('y')!.samples[0].value).toBe(Infinity);
    expect(f.get('z')!.samples[0].value).toBe(-1500);
    expect(f.get('z')!.type).toBe('untyped');
  });

  const refused: [string, string, RegExp][] = [
    ['no final line feed', 'up 1', /end with a line feed/],
    ['an invalid metric name', '0up 1\n', /invalid sample line/],
    ['an unquoted label value', 'up{a=b} 1\n', /not quoted/],
    ['an invalid escape', 'up{a="\\t"} 1\n', /invalid escape/],
    ['an unterminated label value', 'up{a="b} 1\n', /unterminated/],
    ['a label twice', 'up{a="1",a="2"} 1\n', /label a twice/],
    ['a value that is not a number', 'up one\n', /invalid value/],
    ['a missing value', 'up{a="1"}\n', /blank before the value/],
    ['trailing fields', 'up 1 2 3\n', /trailing fields/],
    ['a bad timestamp', 'up 1 1.5\n', /invalid timestamp/],
    ['an unknown type', '# TYPE up meter\nup 1\n', /unknown type/],
    ['TYPE twice', '# TYPE up gauge\n# TYPE up gauge\nup 1\n', /second TYPE/],
    ['HELP twice', '# HELP up a\n# HELP up b\nup 1\n', /second HELP/],
    ['TYPE after samples', 'up 1\n# TYPE up gauge\n', /after its samples/],
    ['a family split in two', 'a 1\nb 1\na{x="1"} 2\n', /not contiguous/],
    ['a duplicate series', 'up{a="1"} 1\nup{a="1"} 2\n', /duplicate series/],
    ['a negative counter', '# TYPE c counter\nc -1\n', /counter c is -1/],
    ['a bare histogram sample', '# TYPE h histogram\nh 1\n', /bare sample/],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /lacks the \+Inf bucket/],
    ['non-cumulative buckets', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', /not cumulative/],
    ['+Inf unlike _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n', /!= _count/],
    ['a histogram without _sum', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\n', /lacks _count or _sum/],
    ['a bucket without le', '# TYPE h histogram\nh_bucket 1\nh_sum 1\nh_count 1\n', /without le/],
  ];
  it.each(refused)('refuses %s', (_what, text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(ExpositionError);
    expect(() => parsePrometheusText(text)).toThrow(message);
  });
});
