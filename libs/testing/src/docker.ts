// Container runtime detection. testcontainers is loaded lazily: without a
// Docker engine the harness never pays for it beyond one quick probe.
import type * as Testcontainers from 'testcontainers';

export type TestRuntime = 'docker' | 'binary';

let cached: Promise<TestRuntime> | undefined;

/** testcontainers module, loaded on first use. */
export function testcontainers(): typeof Testcontainers {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('testcontainers') as typeof Testcontainers;
}

/**
 * `KEELSON_TEST_RUNTIME=binary|docker` forces a runtime; otherwise Docker is
 * used when an engine answers (the probe fails in milliseconds without one).
 * The answer is cached for the process.
 */
export function testRuntime(): Promise<TestRuntime> {
  const forced = process.env.KEELSON_TEST_RUNTIME;
  if (forced === 'binary' || forced === 'docker') return Promise.resolve(forced);
  if (forced) return Promise.reject(new Error(`KEELSON_TEST_RUNTIME must be "binary" or "docker", got "${forced}"`));
  cached ??= probeDocker();
  return cached;
}

async function probeDocker(): Promise<TestRuntime> {
  try {
    await Promise.race([
      testcontainers().getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('container runtime probe timed out')), 3000).unref()),
    ]);
    return 'docker';
  } catch {
    return 'binary';
  }
}
