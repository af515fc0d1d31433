// The scheduler's profile file: a KubeSchedulerConfiguration (YAML or JSON) named by
// KEELSON_SCHEDULER_CONFIG or `--config <file>`. It is read once at start; every problem in it
// is reported together (SchedulerConfigurationError) and the scheduler does not start.
// Without a file, the scheduler runs kube's default profile under KEELSON_SCHEDULER_NAME.
import { readFileSync } from 'node:fs';
import { causes } from '@keelson/api';
import { parseDocument } from 'yaml';
import { DEFAULT_SCHEDULER_NAME, type Profile } from '../framework';
import { decodeConfiguration, formatFieldError, type FieldErrors, type ProfileV1 } from './decode';
import { buildProfile, type SchedulingProfile } from './profiles';

export type { SchedulingProfile } from './profiles';

export interface SchedulerConfiguration {
  profiles: SchedulingProfile[];
  /** podInitialBackoffSeconds / podMaxBackoffSeconds, when the file sets them. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Fields the file sets that this scheduler takes from its environment instead (logged at start). */
  ignored: string[];
}

/** A profile file that cannot be used; `errors` are kube-style field errors. */
export class SchedulerConfigurationError extends Error {
  constructor(readonly source: string, readonly errors: string[]) {
    super(`invalid KubeSchedulerConfiguration ${source}: ${errors.join('; ')}`);
    this.name = 'SchedulerConfigurationError';
  }
}

/** Parses, decodes and validates a KubeSchedulerConfiguration document; `source` names it in errors. */
export function parseSchedulerConfiguration(text: string, source = '<inline>'): SchedulerConfiguration {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) throw new SchedulerConfigurationError(source, doc.errors.map((e) => `could not parse: ${e.message.split('\n')[0]}`));
  const errs: FieldErrors = [];
  const cfg = decodeConfiguration(doc.toJS() as unknown, errs);
  // SetDefaults_KubeSchedulerConfiguration: no profiles is one default profile, and a lone
  // profile without a name is the default scheduler.
  const profiles: ProfileV1[] = cfg.profiles.length ? cfg.profiles : [{ plugins: {}, pluginConfig: [] }];
  if (profiles.length === 1 && profiles[0].schedulerName === undefined) profiles[0] = { ...profiles[0], schedulerName: DEFAULT_SCHEDULER_NAME };
  const seen = new Map<string, number>();
  const built: SchedulingProfile[] = profiles.map((p, i) => {
    const path = `profiles[${i}]`;
    const name = p.schedulerName ?? '';
    if (!name) errs.push(causes.required(`${path}.schedulerName`));
    else if (seen.has(name)) errs.push(causes.duplicate(`${path}.schedulerName`, name)); // profiles[seen] has it too
    else seen.set(name, i);
    const profile = buildProfile(p, path, errs);
    // The profile's own share wins over the configuration's (kube's profile.PercentageOfNodesToScore).
    const pct = p.percentageOfNodesToScore ?? cfg.percentageOfNodesToScore;
    return { schedulerName: name, profile: pct !== undefined ? { ...profile, percentageOfNodesToScore: pct } : profile };
  });
  const initial = cfg.podInitialBackoffSeconds;
  const max = cfg.podMaxBackoffSeconds;
  if (initial !== undefined && initial <= 0) errs.push(causes.invalid('podInitialBackoffSeconds', initial, 'must be greater than 0'));
  if (max !== undefined && max < (initial ?? 1)) errs.push(causes.invalid('podMaxBackoffSeconds', max, 'must be greater than or equal to PodInitialBackoffSeconds'));
  if (errs.length) throw new SchedulerConfigurationError(source, errs.map(formatFieldError));
  return {
    profiles: built,
    ...(initial !== undefined ? { backoffInitialMs: initial * 1000 } : {}),
    ...(max !== undefined ? { backoffMaxMs: max * 1000 } : {}),
    ignored: cfg.ignored,
  };
}

/** Reads and validates a profile file. */
export function loadSchedulerConfiguration(file: string): SchedulerConfiguration {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SchedulerConfigurationError(file, [`could not read: ${(err as Error).message}`]);
  }
  return parseSchedulerConfiguration(text, file);
}

/** No file: kube-scheduler's default profile, under `schedulerName`. */
export function defaultSchedulerConfiguration(schedulerName = DEFAULT_SCHEDULER_NAME): SchedulerConfiguration {
  const errs: FieldErrors = [];
  const profile: Profile = buildProfile({ plugins: {}, pluginConfig: [] }, 'profiles[0]', errs);
  if (errs.length) throw new Error(`the default profile is invalid: ${errs.map(formatFieldError).join('; ')}`); // a bug in the registry
  return { profiles: [{ schedulerName, profile }], ignored: [] };
}

/** `--config <file>` / `--config=<file>` in argv (kube-scheduler's flag), else undefined. */
export function configFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config') return argv[i + 1] ?? ''; // '' = the flag without its file
    if (argv[i].startsWith('--config=')) return argv[i].slice('--config='.length);
  }
  return undefined;
}
