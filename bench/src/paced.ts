// Open-loop load at a steady rate, for latency under a given load rather than at saturation.
// autocannon's overallRate is not that: each connection sends its per-second quota as fast as it
// can and then waits for the next second, so its latencies are those of a burst. Here request i
// is due at start + i / rate, whatever the earlier ones are doing, and its latency counts from when
// it was due (no coordinated omission: a stall shows up in every request it delays).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface PacedLoadOptions {
  url: string;
  ratePerSecond: number;
  seconds: number;
  /** Headers and body of request i. */
  next(i: number): { headers: Record<string, string>; body: string };
  method?: 'POST' | 'GET';
}

export interface PacedLoadResult {
  sent: number;
  ok: number;
  failed: number;
  achievedPerSecond: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** The generator's own event-loop delay, p99 and max, ms: a late send is counted against the server. */
  generatorLagP99: number;
  generatorLagMax: number;
}

export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  // undici's dispatch() with a handler that only reads the status: the generator shares the machine
  // with the server under test, and request()'s response objects and body streams cost it about
  // half its CPU per request (measured in the order-entry case).
  const url = new URL(options.url);
  const dispatcher = new Pool(url.origin, { connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });
  const path = url.pathname + url.search;
  const method = options.method ?? 'POST';
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const total = Math.round(options.ratePerSecond * options.seconds);
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const start = performance.now();
  let sent = 0;
  const send = (due: number, headers: Record<string, string>, body: string) => {
    let status = 0;
    const finish = (good: boolean) => {
      if (good) ok++;
      else failed++;
      latencies.push(performance.now() - due);
      inFlight--;
      if (inFlight === 0 && drained) drained();
    };
    inFlight++;
    dispatcher.dispatch(
      { origin: url.origin, path, method, headers, body },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData() {},
        onResponseEnd() {
          finish(status >= 200 && status < 300);
        },
        onResponseError() {
          finish(false);
        },
      },
    );
  };
  while (sent < total) {
    const dueNow = Math.min(total, Math.floor(((performance.now() - start) * options.ratePerSecond) / 1000) + 1);
    for (; sent < dueNow; sent++) {
      const due = start + (sent * 1000) / options.ratePerSecond;
      const { headers, body } = options.next(sent);
      send(due, headers, body);
    }
    // Wake up about every half millisecond; requests that fell due meanwhile go out at once.
    await new Promise((resolve) => setTimeout(resolve, 0.5));
  }
  if (inFlight > 0)
    await new Promise<void>((resolve) => {
      drained = resolve;
    });
  const elapsed = (performance.now() - start) / 1000;
  lag.disable();
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(1));
  return {
    sent,
    ok,
    failed,
    achievedPerSecond: ok / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: Number((latencies.at(-1) ?? 0).toFixed(1)),
    generatorLagP99: Number((lag.percentile(99) / 1e6).toFixed(1)),
    generatorLagMax: Number((lag.max / 1e6).toFixed(1)),
  };
}
