const SUFFIXES: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** A Kubernetes quantity ("250m", "1.5", "256Mi", "1e3") as a number of base units. */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = QUANTITY.exec(quantity.trim());
  if (!match) throw new Error(`not a quantity: ${quantity}`);
  return Number(match[1]) * (SUFFIXES[match[2] ?? ''] ?? 1);
}

/** Adds quantities, each multiplied by its count, as a plain number of base units (cores, bytes). */
export function sumQuantity(parts: readonly { quantity: string | number; times: number }[]): number {
  return parts.reduce((sum, part) => sum + parseQuantity(part.quantity) * part.times, 0);
}

/** Millicores, rounded up: the canonical form the API server keeps for fractional CPU. */
export function formatCpu(cores: number): string {
  const millicores = Math.ceil(cores * 1000);
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Mebibytes, rounded up. */
export function formatMemory(bytes: number): string {
  const mebibytes = Math.ceil(bytes / 2 ** 20);
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}
