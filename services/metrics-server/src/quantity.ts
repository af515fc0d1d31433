// Quantities as resource.Quantity's canonical String() prints them: CPU from nanocores
// (NewScaledQuantity(n, Nano)), memory from bytes (NewQuantity(b, BinarySI)).

export function cpuQuantity(nanoCores: number): string {
  const n = Math.max(0, Math.round(nanoCores));
  if (n === 0) return '0';
  if (n % 1e9 === 0) return String(n / 1e9);
  if (n % 1e6 === 0) return `${n / 1e6}m`;
  if (n % 1e3 === 0) return `${n / 1e3}u`;
  return `${n}n`;
}

export function memoryQuantity(bytes: number): string {
  let b = Math.max(0, Math.round(bytes));
  if (b === 0) return '0';
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let i = 0;
  while (i < suffixes.length - 1 && b % 1024 === 0) {
    b /= 1024;
    i++;
  }
  return `${b}${suffixes[i]}`;
}

/** A window as metav1.Duration marshals (Go's time.Duration.String()), e.g. "15.012s", "1m0.5s". */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const totalSeconds = ms / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = +(totalSeconds - h * 3600 - m * 60).toFixed(3);
  if (h === 0 && m === 0) return `${s}s`;
  return `${h ? `${h}h` : ''}${m}m${s}s`;
}
