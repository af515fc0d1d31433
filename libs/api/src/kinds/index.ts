// Every built-in kind that lives in a strategy file of its own (see ../strategy.ts).
// Adding a kind: write `kinds/<group>/<resource>.ts` exporting its KindStrategy and list it here.
import type { KindStrategy } from '../strategy';
import { customResourceDefinitions } from './apiextensions/customresourcedefinitions';
import { cronJobStrategy } from './batch/cronjobs';
import { jobStrategy } from './batch/jobs';
import { secretStrategy } from './core/secrets';
import { serviceStrategy } from './core/services';

export const BUILTIN_KINDS: KindStrategy[] = [
  secretStrategy,
  serviceStrategy,
  customResourceDefinitions,
  jobStrategy,
  cronJobStrategy,
];
