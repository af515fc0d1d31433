// Printers by resource: the kinds kube-apiserver prints, keyed by `group/resource`.

import type { ResourceInfo } from '../registry';
import { strategyFor } from '../strategy';
import type { Printer } from '../table';
import { nodePrinter } from './nodes';
import { defaultPrinter, namespacePrinter } from './simple';

const PRINTERS: Record<string, Printer> = {
  '/nodes': nodePrinter,
  '/namespaces': namespacePrinter,
};

export function printerFor(info: Pick<ResourceInfo, 'group' | 'resource' | 'kind'>): Printer {
  return PRINTERS[`${info.group}/${info.resource}`] ?? strategyFor(info)?.printer ?? defaultPrinter;
}

export { nodeRoles } from './nodes';
export { printPod } from './pods';
