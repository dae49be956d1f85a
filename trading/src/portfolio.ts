import { decodeCursor, type Page, type TenantTx, toPage } from '@atrium/db';
import { Decimal } from 'decimal.js';
import type { PaperVenue } from './execution/paper-venue.ts';
import { getInstrument } from './instruments/catalogue.ts';
import type { Execution } from './orders/orders.ts';
import { applyFill, type InstrumentPosition, type PnlSummary, type Position, summarisePnl } from './positions/index.ts';

export interface ExecutionRecord extends Execution {
  accountId: string;
  instrument: string;
  venue: string;
  side: 'buy' | 'sell';
}

const plain = (value: string) => new Decimal(value).toFixed();

/** Newest first. */
export async function listExecutions(
  tx: TenantTx,
  filter: { limit: number; cursor?: string | null; accountId?: string; orderId?: string; instrument?: string },
): Promise<Page<ExecutionRecord>> {
  const before = filter.cursor ? decodeCursor(filter.cursor) : null;
  const rows = await tx<ExecutionRecord[]>`
    select id, order_id as "orderId", account_id as "accountId", instrument, venue, side, quantity::text as quantity,
           price::text as price, fee::text as fee, fee_currency as "feeCurrency", liquidity, executed_at as "executedAt"
      from executions
     where tenant_id = ${tx.tenantId}
       ${before ? tx`and id < ${before}` : tx``}
       ${filter.accountId ? tx`and account_id = ${filter.accountId}` : tx``}
       ${filter.orderId ? tx`and order_id = ${filter.orderId}` : tx``}
       ${filter.instrument ? tx`and instrument = ${filter.instrument}` : tx``}
     order by id desc limit ${filter.limit + 1}`;
  return toPage(
    rows.map((row) => ({ ...row, quantity: plain(row.quantity), price: plain(row.price), fee: plain(row.fee) })),
    filter.limit,
  );
}

export interface AccountPosition extends InstrumentPosition {
  accountId: string;
}

/**
 * Positions per account and instrument at average cost, folded from the
 * executions in the order they happened. (A materialised positions table is
 * the next step once histories grow; the fold is the definition it must match.)
 */
export async function getPositions(tx: TenantTx, filter: { accountId?: string } = {}): Promise<AccountPosition[]> {
  const fills = await tx<
    { account_id: string; instrument: string; side: 'buy' | 'sell'; quantity: string; price: string; fee: string; fee_currency: string }[]
  >`
    select account_id, instrument, side, quantity::text as quantity, price::text as price, fee::text as fee, fee_currency
      from executions
     where tenant_id = ${tx.tenantId} ${filter.accountId ? tx`and account_id = ${filter.accountId}` : tx``}
     order by id`;
  const positions = new Map<string, { accountId: string; instrument: string; position: Position | null }>();
  for (const fill of fills) {
    const key = `${fill.account_id}|${fill.instrument}`;
    const current = positions.get(key) ?? { accountId: fill.account_id, instrument: fill.instrument, position: null };
    const instrument = getInstrument(fill.instrument);
    current.position = applyFill(current.position, {
      side: fill.side,
      quantity: plain(fill.quantity),
      price: plain(fill.price),
      fee: plain(fill.fee),
      feeCurrency: fill.fee_currency,
      quoteCurrency: instrument.quote,
    });
    positions.set(key, current);
  }
  return [...positions.values()].map(({ accountId, instrument, position }) => {
    const { base, quote } = getInstrument(instrument);
    return { accountId, instrument, base, quote, position: position as Position };
  });
}

/** Mid of the paper venue's book: the consolidated mid while paper is the only live venue. */
export function paperMid(paper: PaperVenue, tenantId: string, instrument: string, now: number): string | null {
  const book = paper.snapshot(tenantId, instrument, 1, now);
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  if (!bid || !ask) return null;
  return new Decimal(bid).plus(ask).div(2).toFixed();
}

/** Realised and unrealised P&L per instrument and in total, valued in the tenant's reporting currency at venue prices. */
export async function getPnl(tx: TenantTx, paper: PaperVenue, options: { accountId?: string; now: number }): Promise<PnlSummary> {
  const [tenant] = await tx<{ reporting_currency: string }[]>`select reporting_currency from tenants where id = ${tx.tenantId}`;
  const reportingCurrency = tenant?.reporting_currency ?? 'USD';
  const positions = await getPositions(tx, options.accountId ? { accountId: options.accountId } : {});
  // One line per account and instrument: positions of different accounts are not netted.
  const lines = positions.map(({ accountId, ...rest }) => ({ ...rest, accountId }));
  const instruments = new Set(lines.map((line) => line.instrument));
  const mids: Record<string, string> = {};
  const rates: Record<string, string> = {};
  for (const instrument of instruments) {
    const mid = paperMid(paper, tx.tenantId, instrument, options.now);
    if (mid) {
      mids[instrument] = mid;
      const { base, quote } = getInstrument(instrument);
      rates[`${base}/${quote}`] = mid;
    }
  }
  // Stablecoins at par with USD for valuation until a live venue quotes them.
  rates['USDT/USD'] ??= '1';
  return summarisePnl(lines, mids, rates, reportingCurrency);
}

export interface Balance {
  accountId: string;
  currency: string;
  /** Net of every fill and fee since the account opened; paper accounts start at zero and may go negative. */
  total: string;
  /** Held by working buy orders (quote) and sell orders (base). */
  reserved: string;
  available: string;
}

/**
 * Balances per account and currency, from the fills (bought base in, quote out
 * plus fees; sold the reverse) and what open orders reserve. Deposits and
 * withdrawals come with custody; until then every account starts at zero.
 */
export async function getBalances(tx: TenantTx, filter: { accountId?: string } = {}): Promise<Balance[]> {
  const [flows, reserved] = await Promise.all([
    tx<
      {
        account_id: string;
        instrument: string;
        side: 'buy' | 'sell';
        quantity: string;
        notional: string;
        fee: string;
        fee_currency: string;
      }[]
    >`
      select account_id, instrument, side, sum(quantity)::text as quantity, sum(quantity * price)::text as notional,
             sum(fee)::text as fee, fee_currency
        from executions
       where tenant_id = ${tx.tenantId} ${filter.accountId ? tx`and account_id = ${filter.accountId}` : tx``}
       group by account_id, instrument, side, fee_currency`.execute(),
    tx<{ account_id: string; instrument: string; side: 'buy' | 'sell'; leaves: string; notional: string }[]>`
      select account_id, instrument, side, sum(leaves_quantity)::text as leaves, sum(leaves_quantity * coalesce(price, 0))::text as notional
        from orders
       where tenant_id = ${tx.tenantId} and venue <> 'smart'
         and status in ('pending-new', 'new', 'partially-filled', 'pending-cancel', 'pending-replace', 'unknown')
         ${filter.accountId ? tx`and account_id = ${filter.accountId}` : tx``}
       group by account_id, instrument, side`.execute(),
  ]);
  const totals = new Map<string, { total: Decimal; reserved: Decimal }>();
  const at = (accountId: string, currency: string) => {
    const key = `${accountId}|${currency}`;
    let entry = totals.get(key);
    if (!entry) {
      entry = { total: new Decimal(0), reserved: new Decimal(0) };
      totals.set(key, entry);
    }
    return entry;
  };
  for (const flow of flows) {
    const { base, quote } = getInstrument(flow.instrument);
    const sign = flow.side === 'buy' ? 1 : -1;
    at(flow.account_id, base).total = at(flow.account_id, base).total.plus(new Decimal(flow.quantity).times(sign));
    at(flow.account_id, quote).total = at(flow.account_id, quote).total.minus(new Decimal(flow.notional).times(sign));
    at(flow.account_id, flow.fee_currency).total = at(flow.account_id, flow.fee_currency).total.minus(flow.fee);
  }
  for (const hold of reserved) {
    const { base, quote } = getInstrument(hold.instrument);
    const entry = hold.side === 'buy' ? at(hold.account_id, quote) : at(hold.account_id, base);
    entry.reserved = entry.reserved.plus(hold.side === 'buy' ? hold.notional : hold.leaves);
  }
  return [...totals]
    .map(([key, { total, reserved: held }]) => {
      const [accountId, currency] = key.split('|') as [string, string];
      return { accountId, currency, total: total.toFixed(), reserved: held.toFixed(), available: total.minus(held).toFixed() };
    })
    .sort((a, b) => (a.accountId + a.currency).localeCompare(b.accountId + b.currency));
}
