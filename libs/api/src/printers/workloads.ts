// Cells the printers of workload kinds share (kinds/apps, kinds/batch).

import type { LabelSelectorObject } from '../selectors/labels';
import { isRecord } from '../types';
import { rec, recs, str, type JsonRecord } from './access';

/** Comma-joined container names and images of a pod template spec. */
export function containerCells(spec: JsonRecord): [string, string] {
  const containers = recs(rec(spec, 'template', 'spec'), 'containers');
  return [containers.map((c) => str(c, 'name')).join(','), containers.map((c) => str(c, 'image')).join(',')];
}

/** The template's label selector (`spec.selector`), when it is an object. */
export function selectorOf(spec: JsonRecord): LabelSelectorObject | undefined {
  const sel = spec.selector;
  return isRecord(sel) ? (sel as LabelSelectorObject) : undefined;
}
