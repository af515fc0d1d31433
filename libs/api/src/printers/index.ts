// Server-side printing (Table answers): a kind's own printer comes with its strategy (kinds/);
// every other kind prints NAME and AGE.

import type { ResourceInfo } from '../registry';
import { strategyFor } from '../strategy';
import type { Printer } from '../table';
import { defaultPrinter } from './simple';

export function printerFor(info: Pick<ResourceInfo, 'group' | 'resource' | 'kind'>): Printer {
  return strategyFor(info)?.printer ?? defaultPrinter;
}
