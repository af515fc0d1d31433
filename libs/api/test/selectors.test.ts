import { ApiError } from '../src/status';
import type { KubeObject } from '../src/types';
import {
  fieldValue,
  formatLabelSelector,
  labelSelectorFromObject,
  labelSelectorFromSet,
  parseFieldSelector,
  parseLabelSelector,
} from '../src/selectors';

function badRequest(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    return err;
  }
  throw new Error('expected a BadRequest');
}

describe('parseLabelSelector', () => {
  const L = { app: 'web', tier: 'front', n: '5' };

  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (db,web)', true],
    ['app in (db)', false],
    ['app notin (db)', true],
    ['missing notin (db)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['n>4', true],
    ['n>5', false],
    ['n<6', true],
    ['app>1', false],
    ['missing>1', false],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['  app = web ,  tier  in ( front , back ) ', true],
    ['', true],
  ])('%j matches %j', (s, expected) => {
    expect(parseLabelSelector(s).matches(L)).toBe(expected);
  });

  it('treats missing labels as an empty set', () => {
    expect(parseLabelSelector('!a').matches(undefined)).toBe(true);
    expect(parseLabelSelector('a').matches(undefined)).toBe(false);
  });

  it('prints the canonical form: sorted by key, set values sorted and de-duplicated', () => {
    expect(parseLabelSelector('z=1, a in (y,x,y), !b, c, d notin (q), e==2, f!=3, g>4, h<5').toString()).toBe(
      'a in (x,y),!b,c,d notin (q),e==2,f!=3,g>4,h<5,z=1',
    );
    expect(parseLabelSelector('').isEmpty()).toBe(true);
    expect(parseLabelSelector('a').isEmpty()).toBe(false);
  });

  it('accepts the empty value forms of apimachinery', () => {
    expect(parseLabelSelector('a=').matches({ a: '' })).toBe(true);
    expect(parseLabelSelector('a in ()').toString()).toBe('a in ()');
    expect(parseLabelSelector('x in (foo,,baz),y,z notin ()').toString()).toBe('x in (,baz,foo),y,z notin ()');
  });

  it('reads in/notin as values inside a value set and as keys', () => {
    expect(parseLabelSelector('in in (in,notin)').matches({ in: 'notin' })).toBe(true);
    expect(parseLabelSelector('a=in').matches({ a: 'in' })).toBe(true);
  });

  it('reports exact-match requirements', () => {
    expect(parseLabelSelector('a=b,c in (d)').requiresExactMatch('c')).toBe('d');
    expect(parseLabelSelector('a!=b').requiresExactMatch('a')).toBeUndefined();
  });

  it.each([
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a=b,', "found '', expected: identifier after ','"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ['a>b', `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
  ])('rejects %j', (s, message) => {
    expect(badRequest(() => parseLabelSelector(s)).message).toBe(message);
  });

  it('validates keys and values like NewRequirement', () => {
    expect(badRequest(() => parseLabelSelector('-a=b')).message).toMatch(
      /^unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters/,
    );
    expect(badRequest(() => parseLabelSelector('a=b/c')).message).toMatch(
      /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "b\/c": a valid label must be an empty string/,
    );
    expect(parseLabelSelector('example.com/app=x').matches({ 'example.com/app': 'x' })).toBe(true);
  });
});

describe('labelSelectorFromObject', () => {
  it('matches nothing for a missing selector and everything for an empty one', () => {
    expect(labelSelectorFromObject(undefined).matches({})).toBe(false);
    expect(labelSelectorFromObject(undefined).isEmpty()).toBe(false);
    expect(labelSelectorFromObject({}).matches({ a: 'b' })).toBe(true);
    expect(labelSelectorFromObject({}).isEmpty()).toBe(true);
  });

  it('combines matchLabels and matchExpressions sorted by key', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'track', operator: 'Exists' },
      ],
    });
    expect(sel.toString()).toBe('app=web,!canary,env notin (prod),tier in (a,b),track');
    expect(sel.matches({ app: 'web', tier: 'a', track: 'x' })).toBe(true);
    expect(sel.matches({ app: 'web', tier: 'a', track: 'x', canary: '1' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'a', track: 'x', env: 'prod' })).toBe(false);
  });

  it('rejects unknown operators and empty In sets', () => {
    expect(badRequest(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).message).toBe(
      '"Gt" is not a valid label selector operator',
    );
    expect(badRequest(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).message).toBe(
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    );
  });

  it('formats like metav1.FormatLabelSelector', () => {
    expect(formatLabelSelector({ matchLabels: { b: '2', a: '1' } })).toBe('a=1,b=2');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector(undefined)).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Nope' }] })).toBe('<error>');
  });

  it('builds a selector from a label set', () => {
    expect(labelSelectorFromSet({ b: '2', a: '1' }).toString()).toBe('a=1,b=2');
    expect(labelSelectorFromSet(undefined).matches({ x: 'y' })).toBe(true);
  });
});

describe('parseFieldSelector', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default' },
    spec: { nodeName: 'n1', restartPolicy: 'Always' },
    status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }] },
  };

  it('matches =, == and != terms joined by commas', () => {
    expect(parseFieldSelector('metadata.name=web-1', 'pods').matches(pod)).toBe(true);
    expect(parseFieldSelector('metadata.name==web-1,spec.nodeName=n1', 'pods').matches(pod)).toBe(true);
    expect(parseFieldSelector('status.phase!=Running', 'pods').matches(pod)).toBe(false);
    expect(parseFieldSelector('spec.nodeName=', 'pods').matches(pod)).toBe(false);
    expect(parseFieldSelector('', 'pods').isEmpty()).toBe(true);
    expect(parseFieldSelector('', 'pods').matches(pod)).toBe(true);
  });

  it('stringifies fields like Kubernetes', () => {
    expect(fieldValue(pod, 'spec.hostNetwork')).toBe('false');
    expect(fieldValue({ ...pod, spec: { hostNetwork: true } }, 'spec.hostNetwork')).toBe('true');
    expect(fieldValue(pod, 'status.podIP')).toBe('10.0.0.5');
    expect(fieldValue(pod, 'status.nominatedNodeName')).toBe('');
    const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, status: { replicas: 3 } };
    expect(fieldValue(rs, 'status.replicas')).toBe('3');
    expect(fieldValue({ ...rs, status: {} }, 'status.replicas')).toBe('0');
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: {} };
    expect(parseFieldSelector('spec.unschedulable=false', 'nodes').matches(node)).toBe(true);
  });

  it('selects events the way kubectl describe asks for them', () => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' },
      reason: 'Scheduled',
      type: 'Normal',
      reportingComponent: 'default-scheduler',
    };
    const sel = parseFieldSelector('involvedObject.uid=u1,involvedObject.name=web-1,involvedObject.namespace=default', 'events');
    expect(sel.matches(ev)).toBe(true);
    expect(parseFieldSelector('source=default-scheduler', 'events').matches(ev)).toBe(true);
    expect(parseFieldSelector('type=Warning', 'events').matches(ev)).toBe(false);
  });

  it('unescapes \\, \\= and \\\\ in values and re-escapes them when printed', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a,b=c\\d' } };
    const sel = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d', 'configmaps');
    expect(sel.requirements()).toEqual([{ field: 'metadata.name', op: '=', value: 'a,b=c\\d' }]);
    expect(sel.matches(cm)).toBe(true);
    expect(sel.toString()).toBe('metadata.name=a\\,b\\=c\\\\d');
  });

  it('reports exact matches and sorts terms', () => {
    const sel = parseFieldSelector('metadata.namespace!=x,metadata.name=web', 'pods');
    expect(sel.requiresExactMatch('metadata.name')).toBe('web');
    expect(sel.requiresExactMatch('metadata.namespace')).toBeUndefined();
    expect(sel.toString()).toBe('metadata.name=web,metadata.namespace!=x');
  });

  it.each([
    ['spec.foo=x', 'pods', 'field label not supported: spec.foo'],
    ['spec.replicas=1', 'deployments', '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['status.phase=Running', 'configmaps', '"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['metadata.name', 'pods', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['metadata.name=a=b', 'pods', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name=a\\x', 'pods', 'invalid field selector: invalid escape sequence: \\x'],
    ['metadata.name=a\\', 'pods', 'invalid field selector: invalid escape sequence: \\'],
  ])('rejects %j on %s', (s, resource, message) => {
    expect(badRequest(() => parseFieldSelector(s, resource)).message).toBe(message);
  });

  it('accepts each resource its own field labels', () => {
    expect(() => parseFieldSelector('status.replicas=2', 'replicasets')).not.toThrow();
    expect(() => parseFieldSelector('status.phase=Active', 'namespaces')).not.toThrow();
    expect(() => parseFieldSelector('involvedObject.fieldPath=x,reportingComponent=y', 'events')).not.toThrow();
    expect(() => parseFieldSelector('metadata.name=x', 'leases')).not.toThrow();
  });
});
