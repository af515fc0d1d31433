// The status manager: writes each pod's computed status through `pods/status`, skipping
// unchanged ones, one write in flight per pod, the newest status winning, retrying errors.
import { isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import type { Logger } from '@keelson/telemetry';
import { PODS, type Pod, type PodStatus } from './types';

interface Slot {
  namespace: string;
  name: string;
  desired?: PodStatus;
  written?: string;
  inFlight: boolean;
}

export class StatusWriter {
  private readonly slots = new Map<string, Slot>();
  private closed = false;

  constructor(private readonly client: KeelsonClient, private readonly log: Logger) {}

  write(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata.uid ?? '';
    let slot = this.slots.get(uid);
    if (!slot) {
      slot = { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', inFlight: false };
      this.slots.set(uid, slot);
    }
    slot.desired = status;
    void this.flush(uid, slot);
  }

  forget(uid: string): void {
    this.slots.delete(uid);
  }

  close(): void {
    this.closed = true;
  }

  private async flush(uid: string, slot: Slot): Promise<void> {
    if (slot.inFlight || this.closed) return;
    const body = JSON.stringify(slot.desired);
    if (body === slot.written) return;
    slot.inFlight = true;
    try {
      await this.client.patchWithoutResult(PODS, slot.namespace, slot.name, { metadata: { uid }, status: slot.desired }, { subresource: 'status', fieldManager: 'kubelet' });
      slot.written = body;
    } catch (err) {
      if (isNotFound(err)) {
        this.slots.delete(uid);
        return;
      }
      this.log.warn('pod status write failed; retrying', { pod: `${slot.namespace}/${slot.name}`, err: messageOf(err) });
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      slot.inFlight = false;
    }
    if (this.slots.get(uid) === slot) void this.flush(uid, slot);
  }
}
