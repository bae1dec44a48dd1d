let issued = 0;

/**
 * A client address no other call site in this process uses (198.18.0.0/15,
 * the benchmarking range), so per-address limits of one test never meet another's.
 */
export function uniqueAddress(): string {
  issued += 1;
  return `198.${18 + ((issued >>> 16) & 1)}.${(issued >>> 8) & 255}.${issued & 255}`;
}

/** Request options that present `address` through the trusted proxy header (servers started with TRUST_PROXY=1). */
export const fromAddress = (address: string) => ({ headers: { 'x-forwarded-for': address } });
