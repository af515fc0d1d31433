import { slowStartBatch } from '../src/slow-start';

test('calls in batches of 1, 2, 4, ... capped by what remains', async () => {
  const batches: number[] = [];
  let inFlight = 0;
  let current = 0;
  const { successes, error } = await slowStartBatch(10, 1, async () => {
    if (inFlight === 0) batches.push(0);
    inFlight++;
    batches[batches.length - 1]++;
    current++;
    await new Promise((r) => setImmediate(r));
    inFlight--;
  });
  expect(batches).toEqual([1, 2, 4, 3]);
  expect(current).toBe(10);
  expect(successes).toBe(10);
  expect(error).toBeUndefined();
});

test('a failing first call stops after one attempt', async () => {
  let calls = 0;
  const { successes, error } = await slowStartBatch(500, 1, async () => {
    calls++;
    throw new Error('invalid template');
  });
  expect(calls).toBe(1);
  expect(successes).toBe(0);
  expect((error as Error).message).toBe('invalid template');
});

test('a failure in a batch ends after that batch, counting its successes', async () => {
  let calls = 0;
  const { successes, error } = await slowStartBatch(20, 1, async () => {
    calls++;
    if (calls === 5) throw new Error('quota');
  });
  expect(calls).toBe(7); // 1 + 2 + 4: the failing batch runs to its end
  expect(successes).toBe(6);
  expect(error).toBeInstanceOf(Error);
});

test('zero is no call', async () => {
  const fn = jest.fn(async () => undefined);
  expect(await slowStartBatch(0, 1, fn)).toEqual({ successes: 0 });
  expect(fn).not.toHaveBeenCalled();
});
