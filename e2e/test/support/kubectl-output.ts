// Reading what the real kubectl prints: table headers and rows of `kubectl get`, JSON
// objects, and the stderr of commands that must fail.
import type { ControlPlane } from '@keelson/testing';

/** Column titles of a `kubectl get` table (cells are separated by two or more spaces). */
export const header = (out: string): string[] => out.split('\n')[0].trim().split(/\s{2,}/);

/** The cells of the row whose first cell is `name`. */
export const row = (out: string, name: string): string[] => (out.split('\n').find((l) => l.startsWith(name + ' ')) ?? '').trim().split(/\s{2,}/);

export function kubectlReaders(c: () => ControlPlane): {
  json: (...args: string[]) => Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only access
  fail: (...args: string[]) => Promise<string>;
} {
  return {
    json: async (...args) => JSON.parse(await c().k(...args, '-o', 'json')),
    fail: async (...args) => {
      const r = await c().kubectl(args);
      expect(r.code).not.toBe(0);
      return r.stderr;
    },
  };
}
