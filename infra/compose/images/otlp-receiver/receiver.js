#!/usr/bin/env node
// Stand-in for Jaeger all-in-one where no Jaeger image can be pulled (tests only): receives
// OTLP/HTTP JSON traces on :4318 (POST /v1/traces, what @opentelemetry/exporter-trace-otlp-http
// sends) and answers the part of Jaeger's query API a test reads on :16686:
//   GET /api/services                    → { data: [service names] }
//   GET /api/traces?service=S[&limit=N]  → { data: [trace] } traces with a span of S, newest first
//   GET /api/traces/<traceID>            → { data: [trace] }
// A trace is Jaeger's shape: { traceID, spans: [{ traceID, spanID, operationName, references,
// startTime, duration, tags, processID }], processes: { p1: { serviceName, tags } } }.
// Spans are kept in memory (the newest 200,000). Protobuf bodies get 415.
'use strict';
const http = require('node:http');

const MAX_SPANS = 200000;
/** traceID → { spans: [...], processes: Map<key, {serviceName, tags}> } */
const traces = new Map();
let spanCount = 0;

const hex = (v) => (typeof v === 'string' && /^[0-9a-f]+$/i.test(v) ? v.toLowerCase() : Buffer.from(String(v || ''), 'base64').toString('hex'));
function attrValue(v) {
  if (!v || typeof v !== 'object') return v;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue.values || []).map(attrValue);
  return JSON.stringify(v);
}
const tags = (attrs) => (attrs || []).map((a) => ({ key: a.key, type: 'string', value: attrValue(a.value) }));

function ingest(body) {
  for (const rs of body.resourceSpans || []) {
    const resTags = tags(rs.resource && rs.resource.attributes);
    const serviceName = String((resTags.find((t) => t.key === 'service.name') || {}).value || 'unknown');
    const processKey = JSON.stringify(resTags);
    for (const ss of rs.scopeSpans || rs.instrumentationLibrarySpans || []) {
      for (const s of ss.spans || []) {
        const traceID = hex(s.traceId);
        let t = traces.get(traceID);
        if (!t) {
          t = { spans: [], processes: new Map(), last: 0 };
          traces.set(traceID, t);
        }
        if (!t.processes.has(processKey)) t.processes.set(processKey, { id: `p${t.processes.size + 1}`, serviceName, tags: resTags });
        const start = BigInt(s.startTimeUnixNano || 0);
        const end = BigInt(s.endTimeUnixNano || 0);
        t.spans.push({
          traceID,
          spanID: hex(s.spanId),
          operationName: s.name,
          references: s.parentSpanId ? [{ refType: 'CHILD_OF', traceID, spanID: hex(s.parentSpanId) }] : [],
          startTime: Number(start / 1000n),
          duration: Number((end - start) / 1000n),
          tags: tags(s.attributes),
          processID: t.processes.get(processKey).id,
        });
        t.last = Date.now();
        spanCount++;
      }
    }
  }
  while (spanCount > MAX_SPANS && traces.size > 0) {
    const [oldest, t] = traces.entries().next().value;
    traces.delete(oldest);
    spanCount -= t.spans.length;
  }
}

function jaegerTrace(traceID, t) {
  const processes = {};
  for (const p of t.processes.values()) processes[p.id] = { serviceName: p.serviceName, tags: p.tags };
  return { traceID, spans: t.spans, processes, warnings: null };
}

function send(res, code, obj) {
  const text = JSON.stringify(obj);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const receiver = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url.split('?')[0] !== '/v1/traces') return send(res, 404, { error: 'POST /v1/traces only' });
    if (!/json/.test(req.headers['content-type'] || '')) return send(res, 415, { error: 'OTLP/HTTP JSON only' });
    try {
      ingest(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch (e) {
      return send(res, 400, { error: String(e && e.message) });
    }
    send(res, 200, {});
  });
});

const query = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/' || url.pathname === '/healthz') return send(res, 200, { status: 'ok', traces: traces.size, spans: spanCount });
  if (url.pathname === '/api/services') {
    const names = new Set();
    for (const t of traces.values()) for (const p of t.processes.values()) names.add(p.serviceName);
    return send(res, 200, { data: [...names].sort() });
  }
  const one = /^\/api\/traces\/([0-9a-f]+)$/.exec(url.pathname);
  if (one) {
    const t = traces.get(one[1]);
    return t ? send(res, 200, { data: [jaegerTrace(one[1], t)] }) : send(res, 404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] });
  }
  if (url.pathname === '/api/traces') {
    const service = url.searchParams.get('service');
    const limit = Number(url.searchParams.get('limit') || 20);
    const out = [];
    for (const [id, t] of [...traces.entries()].sort((a, b) => b[1].last - a[1].last)) {
      if (service && ![...t.processes.values()].some((p) => p.serviceName === service)) continue;
      out.push(jaegerTrace(id, t));
      if (out.length >= limit) break;
    }
    return send(res, 200, { data: out });
  }
  send(res, 404, { error: 'not found' });
});

receiver.listen(4318, '0.0.0.0');
query.listen(16686, '0.0.0.0');
process.on('SIGTERM', () => process.exit(0));
