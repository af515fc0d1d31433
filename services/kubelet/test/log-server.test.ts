import { tailLines } from '../src/log-server';
import { parseTaints, parseLabels } from '../src/config';

test('tailLines keeps the last n lines, a trailing newline not counting as a line', () => {
  const b = Buffer.from('a\nb\nc\n');
  expect(tailLines(b, 2).toString()).toBe('b\nc\n');
  expect(tailLines(b, 5).toString()).toBe('a\nb\nc\n');
  expect(tailLines(b, 0).toString()).toBe('');
  expect(tailLines(Buffer.from('a\nb'), 1).toString()).toBe('b');
  expect(tailLines(Buffer.from(''), 3).toString()).toBe('');
});

test('node taints and labels parse as the kubelet flags do', () => {
  expect(parseTaints('dedicated=gpu:NoSchedule, spot:NoExecute')).toEqual([
    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
    { key: 'spot', effect: 'NoExecute' },
  ]);
  expect(() => parseTaints('x=y')).toThrow(/no effect/);
  expect(parseLabels('zone=a,disk=ssd')).toEqual({ zone: 'a', disk: 'ssd' });
});
