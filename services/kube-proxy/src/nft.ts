// Runs the nft binary (Debian's nftables package): one `nft -f -` per sync (atomic), listing
// the table's chains and sets, deleting the table on a clean stop.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { parseTableListing } from './nft-ruleset';

const run = promisify(execFile);

export class NftError extends Error {
  constructor(message: string, readonly stderr: string) {
    super(message);
    this.name = 'NftError';
  }
}

export class Nft {
  constructor(readonly table: string, private readonly bin = 'nft') {}

  /** Whether nft runs and may create tables (root or CAP_NET_ADMIN): a throwaway table is made and dropped. */
  async probe(): Promise<string | undefined> {
    const probe = `${this.table}-probe`;
    try {
      await this.apply(`add table ip ${probe}\ndelete table ip ${probe}\n`);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** Applies a script in one transaction. */
  apply(script: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', (err) => reject(new NftError(`${this.bin}: ${err.message}`, '')));
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new NftError(`${this.bin} -f failed (exit ${code}): ${stderr.trim().split('\n').slice(0, 6).join(' | ')}`, stderr));
      });
      child.stdin.end(script);
    });
  }

  /** Chains and sets the table holds now (empty when it does not exist). */
  async listing(): Promise<{ chains: string[]; sets: string[] }> {
    try {
      const { stdout } = await run(this.bin, ['-t', 'list', 'table', 'ip', this.table], { maxBuffer: 64 * 1024 * 1024 });
      return parseTableListing(stdout);
    } catch {
      return { chains: [], sets: [] };
    }
  }

  /** The whole table as text (tests, debugging). */
  async list(): Promise<string> {
    const { stdout } = await run(this.bin, ['list', 'table', 'ip', this.table], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  }

  async deleteTable(): Promise<void> {
    await this.apply(`add table ip ${this.table}\ndelete table ip ${this.table}\n`);
  }
}
