// The default profile: kube-scheduler's default plugins (registry.ts), built the way a profile
// file's are, so the file-less scheduler and an empty profile are the same thing.
import type { Profile } from '../framework';
import { defaultSchedulerConfiguration } from '../configuration/load';

export function defaultProfile(): Profile {
  return defaultSchedulerConfiguration().profiles[0].profile;
}
