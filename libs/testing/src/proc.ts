// A process as /proc shows it, for tests that check what runs on the machine (nothing is signalled).
import { readFileSync } from 'node:fs';

/** The command line of a live process (arguments joined by spaces), undefined once it is gone or a zombie. */
export function processCmdline(pid: number): string | undefined {
  try {
    if (readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')) return undefined;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}
