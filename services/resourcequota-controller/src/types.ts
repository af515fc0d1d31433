// Coordinates of what this controller reads and writes.
import type { ResourceCoordinates } from '@keelson/api';

export const RESOURCEQUOTAS: ResourceCoordinates = { group: '', version: 'v1', resource: 'resourcequotas' };
/** What the replenishment watches: changes to these give quota back (or take it). */
export const REPLENISHED: ResourceCoordinates[] = ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers']
  .map((resource) => ({ group: '', version: 'v1', resource }));
