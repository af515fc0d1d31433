// Sampling: OTEL_TRACES_SAMPLER as the SDK specification names it, and background calls
// (a CLIENT span nobody's work started: the gateway's own etcd calls) never a root trace.
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { BackgroundDroppingSampler, samplerFromEnv, traceSampler } from '../src/sdk';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const sampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
const unsampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE, isRemote: true });
const decide = (env: NodeJS.ProcessEnv, ctx = ROOT_CONTEXT, kind = SpanKind.SERVER): SamplingDecision =>
  new BackgroundDroppingSampler(samplerFromEnv(env)).shouldSample(ctx, TRACE, 'x', kind, {}, []).decision;

test('default parentbased_always_on: roots and sampled parents record, unsampled parents do not', () => {
  expect(decide({})).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  expect(decide({}, sampled)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  expect(decide({}, unsampled)).toBe(SamplingDecision.NOT_RECORD);
});

test('always_off records nothing; always_on records even under an unsampled parent', () => {
  expect(decide({ OTEL_TRACES_SAMPLER: 'always_off' })).toBe(SamplingDecision.NOT_RECORD);
  expect(decide({ OTEL_TRACES_SAMPLER: 'always_off' }, sampled)).toBe(SamplingDecision.NOT_RECORD);
  expect(decide({ OTEL_TRACES_SAMPLER: 'always_on' }, unsampled)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
});

test('traceidratio takes OTEL_TRACES_SAMPLER_ARG', () => {
  expect(decide({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })).toBe(SamplingDecision.NOT_RECORD);
  expect(decide({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' })).toBe(SamplingDecision.RECORD_AND_SAMPLED);
});

test('a CLIENT span with no parent is background: dropped, while one inside a request is kept', () => {
  expect(decide({}, ROOT_CONTEXT, SpanKind.CLIENT)).toBe(SamplingDecision.NOT_RECORD);
  expect(decide({}, sampled, SpanKind.CLIENT)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
});

test('with nothing exporting spans, none is recorded whatever the sampler; exporting, the environment\'s sampler decides', () => {
  const sample = (env: NodeJS.ProcessEnv, exporting: boolean, ctx = ROOT_CONTEXT, kind = SpanKind.SERVER): SamplingDecision =>
    traceSampler(env, exporting, false).shouldSample(ctx, TRACE, 'x', kind, {}, []).decision;
  for (const env of [{}, { OTEL_TRACES_SAMPLER: 'always_on' }]) {
    expect(sample(env, false)).toBe(SamplingDecision.NOT_RECORD);
    expect(sample(env, false, sampled)).toBe(SamplingDecision.NOT_RECORD);
  }
  expect(sample({}, true)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  expect(sample({}, true, ROOT_CONTEXT, SpanKind.CLIENT)).toBe(SamplingDecision.NOT_RECORD); // background dropped
  expect(traceSampler({}, true, true).shouldSample(ROOT_CONTEXT, TRACE, 'x', SpanKind.CLIENT, {}, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
});
