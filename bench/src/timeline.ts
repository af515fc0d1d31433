// A deploy run's stages over time, from the events the relay publishes (KEELSON_BENCH_TIMELINE=1):
// when the first, 10 %, 50 %, 90 % and all of the pods were created, bound and Ready, in ms after apply.
// It shows which stage trails which (a controller's queue, not its CPU). Off by default: one more
// subscriber costs the NATS server and this process a little.
import { connect, type NatsConnection } from 'nats';
import type { SecuredNatsConnectOptions } from '@keelson/testing';
import { machineJiffies } from './proc-cpu';

type Stage = 'created' | 'bound' | 'ready';
const STAGES: Stage[] = ['created', 'bound', 'ready'];
const MARKS = [0, 0.1, 0.5, 0.9, 1];
export const TIMELINE_HEADER = ['stage (ms after apply)', ...MARKS.map((m) => (m === 0 ? 'first' : `${m * 100} %`))];

interface PodEvent {
  type: string;
  object?: { metadata?: { uid?: string; labels?: Record<string, string> }; spec?: { nodeName?: string }; status?: { conditions?: Array<{ type: string; status: string }> } };
}

export class PodTimeline {
  private readonly seen: Record<Stage, Map<string, number>> = { created: new Map(), bound: new Map(), ready: new Map() };
  private t0 = 0;
  /** Machine CPU samples (ms after apply, busy jiffies, all jiffies) every 100 ms from begin(). */
  private cpu: Array<[number, number, number]> = [];
  private sampler?: NodeJS.Timeout;

  private constructor(private readonly nc: NatsConnection, private readonly app: string) {}

  /** Follows the pods labelled app=`app` on `subject`. */
  static async start(options: SecuredNatsConnectOptions, subject: string, app: string): Promise<PodTimeline> {
    const nc = await connect({ ...options, name: 'bench-timeline' });
    const t = new PodTimeline(nc, app);
    const sub = nc.subscribe(subject);
    void (async () => {
      for await (const m of sub) t.record(JSON.parse(m.string()) as PodEvent, Date.now());
    })();
    await nc.flush();
    return t;
  }

  /** Time zero (the apply) and a fresh count. */
  begin(): void {
    this.t0 = Date.now();
    for (const s of STAGES) this.seen[s].clear();
    this.cpu = [[0, ...machineJiffies()]];
    this.sampler = setInterval(() => this.cpu.push([Date.now() - this.t0, ...machineJiffies()]), 100);
  }

  /** How busy the machine's cores were in each half second after apply (0–100 %). */
  busy(): Array<[string, number]> {
    clearInterval(this.sampler);
    const out: Array<[string, number]> = [];
    let from = this.cpu[0];
    for (const c of this.cpu) {
      if (c[0] - from[0] < 500 && c !== this.cpu.at(-1)) continue;
      const total = c[2] - from[2];
      if (total > 0) out.push([`${(from[0] / 1000).toFixed(1)}–${(c[0] / 1000).toFixed(1)} s`, Math.round((100 * (c[1] - from[1])) / total)]);
      from = c;
    }
    return out;
  }

  private record(e: PodEvent, at: number): void {
    const uid = e.object?.metadata?.uid;
    if (!uid || e.type === 'DELETED' || e.object?.metadata?.labels?.app !== this.app) return;
    const first = (s: Stage): void => void (this.seen[s].has(uid) || this.seen[s].set(uid, at));
    first('created');
    if (e.object?.spec?.nodeName) first('bound');
    if (e.object?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) first('ready');
  }

  /** Rows: stage, then ms after apply at which each mark's share of `total` pods reached it. */
  rows(total: number): Array<Array<string | number>> {
    return STAGES.map((s) => {
      const times = [...this.seen[s].values()].sort((a, b) => a - b);
      return [s, ...MARKS.map((m) => {
        const t = times[Math.max(0, Math.ceil(m * total) - 1)];
        return t === undefined ? '-' : t - this.t0;
      })];
    });
  }

  async close(): Promise<void> {
    clearInterval(this.sampler);
    await this.nc.close();
  }
}
