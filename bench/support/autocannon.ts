// autocannon ships no types; this is the part of its API the benchmarks use.
export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  [key: string]: unknown;
}

export interface AutocannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}

export type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const autocannon: Autocannon = require('autocannon') as Autocannon;
