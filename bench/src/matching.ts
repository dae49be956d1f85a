// The paper venue's matching engine alone, on one thread: a seeded, realistic order flow against one
// book, as a ratio to the bare cost of the data structures the same flow touches (a Map and an array),
// measured in the same run. Run: node bench/src/matching.ts [orders] [seed]. It prints; it never fails on speed.
import os from 'node:os';
import { type EngineOrder, mulberry32, OrderBook } from '../../trading/src/venues/paper/index.ts';

export interface MatchingBenchOptions {
  orders: number;
  seed: number;
}

export interface MatchingBenchResult {
  /** Engine operations (submits and cancels) per second. */
  ordersPerSecond: number;
  /** The same operations as Map set/delete + array push of the same objects, per second. */
  baselineOpsPerSecond: number;
  fills: number;
  restingAtEnd: number;
}

type Operation = { kind: 'submit'; order: EngineOrder } | { kind: 'cancel'; id: string };

const CHUNK = 50_000;
const RECENT = 4_096;
const OWNERS = Array.from({ length: 64 }, (_, i) => `owner-${i}`);

/**
 * The flow: 60 % limit orders resting within 20 ticks of the touch (most within a few, 5 % of them
 * GTD), 25 % takers (half IOC limits through up to 5 ticks, a fifth of the rest GTC limits that may
 * rest, the others market), 15 % cancels of a recent resting order, some of it already filled. The
 * mid drifts by a tick now and then, so levels empty and refill as on a live venue.
 */
function createOrderFlow(seed: number) {
  const random = mulberry32(seed);
  const recent: string[] = [];
  let mid = 650_000;
  let next = 0;
  const int = (max: number) => Math.floor(random() * max);
  return (count: number): Operation[] => {
    const operations: Operation[] = [];
    for (let i = 0; i < count; i++) {
      if (random() < 0.02) mid += random() < 0.5 ? -1 : 1;
      const roll = random();
      const id = `b${next++}`;
      const ownerId = OWNERS[int(OWNERS.length)] as string;
      const side = random() < 0.5 ? 'buy' : 'sell';
      const sign = side === 'buy' ? -1 : 1;
      if (roll < 0.6) {
        const offset = 1 + Math.floor(random() ** 2 * 20);
        const gtd = random() < 0.05;
        operations.push({
          kind: 'submit',
          order: {
            id,
            ownerId,
            side,
            type: 'limit',
            price: BigInt(mid + sign * offset),
            quantity: BigInt(1 + int(10)),
            timeInForce: gtd ? 'GTD' : 'GTC',
            ...(gtd ? { expiresAt: next + 20_000 } : {}),
          },
        });
        if (recent.length < RECENT) recent.push(id);
        else recent[int(RECENT)] = id;
      } else if (roll < 0.85) {
        const kind = random();
        const quantity = BigInt(1 + int(20));
        const price = BigInt(mid - sign * int(6));
        operations.push({
          kind: 'submit',
          order:
            kind < 0.5
              ? { id, ownerId, side, type: 'limit', price, quantity, timeInForce: 'IOC' }
              : kind < 0.6
                ? { id, ownerId, side, type: 'limit', price, quantity, timeInForce: 'GTC' }
                : { id, ownerId, side, type: 'market', quantity, timeInForce: 'IOC' },
        });
      } else {
        operations.push({ kind: 'cancel', id: recent[int(recent.length)] ?? id });
      }
    }
    return operations;
  };
}

function runEngine(book: OrderBook, operations: Operation[], startAt: number): number {
  let fills = 0;
  for (let i = 0; i < operations.length; i++) {
    const operation = operations[i] as Operation;
    if (operation.kind === 'submit') fills += book.submit(operation.order, startAt + i).fills.length;
    else book.cancel(operation.id);
  }
  return fills;
}

/** The floor under any book: index every order by id, queue it, and forget it when it leaves. */
function runBaseline(index: Map<string, EngineOrder>, queue: EngineOrder[], operations: Operation[]): void {
  for (let i = 0; i < operations.length; i++) {
    const operation = operations[i] as Operation;
    if (operation.kind === 'submit') {
      const order = operation.order;
      index.set(order.id, order);
      queue.push(order);
      if (order.timeInForce === 'IOC') index.delete(order.id);
    } else {
      index.delete(operation.id);
    }
    if (queue.length > 65_536) queue.length = 0;
  }
}

export function benchMatchingEngine({ orders, seed }: MatchingBenchOptions): MatchingBenchResult {
  // Warm both paths up on their own data so the JIT has settled before anything is timed.
  const warmUp = createOrderFlow(seed + 1);
  const warmBook = new OrderBook();
  for (let done = 0; done < 200_000; done += CHUNK) {
    const chunk = warmUp(CHUNK);
    runEngine(warmBook, chunk, done);
    runBaseline(new Map(), [], chunk);
  }

  const flow = createOrderFlow(seed);
  const book = new OrderBook();
  const index = new Map<string, EngineOrder>();
  const queue: EngineOrder[] = [];
  let engineNs = 0n;
  let baselineNs = 0n;
  let fills = 0;
  // Chunk by chunk, alternating, so that drift on a shared machine lands on both alike; generating
  // the flow is not timed.
  for (let done = 0; done < orders; done += CHUNK) {
    const chunk = flow(Math.min(CHUNK, orders - done));
    let started = process.hrtime.bigint();
    fills += runEngine(book, chunk, done);
    engineNs += process.hrtime.bigint() - started;
    started = process.hrtime.bigint();
    runBaseline(index, queue, chunk);
    baselineNs += process.hrtime.bigint() - started;
  }
  return {
    ordersPerSecond: (orders * 1e9) / Number(engineNs),
    baselineOpsPerSecond: (orders * 1e9) / Number(baselineNs),
    fills,
    restingAtEnd: book.size,
  };
}

if (import.meta.main) {
  const orders = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? 20261125);
  const cpus = os.cpus();
  console.log(`CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  console.log(`Node.js ${process.version}; one thread (pin it to one core with taskset -c 0 for a strict single-core figure)`);
  console.log(`matching engine: ${orders.toLocaleString('en')} orders, seed ${seed}: 60 % resting limits, 25 % takers, 15 % cancels`);
  const result = benchMatchingEngine({ orders, seed });
  const ratio = result.ordersPerSecond / result.baselineOpsPerSecond;
  console.log(
    `  baseline (Map set/delete + array push of the same orders): ${Math.round(result.baselineOpsPerSecond).toLocaleString('en')} ops/s`,
  );
  console.log(
    `  OrderBook submit/cancel: ${Math.round(result.ordersPerSecond).toLocaleString('en')} orders/s (${ratio.toFixed(2)}× the baseline)`,
  );
  console.log(`  ${result.fills.toLocaleString('en')} fills, ${result.restingAtEnd.toLocaleString('en')} orders resting at the end`);
  console.log(`  target ≥ 200,000 orders/s: ${result.ordersPerSecond >= 200_000 ? 'met' : 'NOT met'}`);
}
