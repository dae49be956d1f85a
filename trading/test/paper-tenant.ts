import type { Database } from '@atrium/db';
import type { TestDatabase } from '@atrium/db/testing';
import { createReseller, createTenant } from '@atrium/tenants';
import { Decimal } from 'decimal.js';
import { createAccount, type PlaceOrderInput } from '../src/index.ts';

/** Shared by the paper venue's database tests: a tenant of a test's own, its orders, what the record holds of them. */

export const CTX = { actor: { type: 'system' as const, id: 'test' } };

export interface PaperTenant {
  tenantId: string;
  buyer: string;
  seller: string;
  /** A limit order on BTC-USD, GTC unless `extra` says otherwise; buys from the buyer's account, sells from the seller's. */
  order(side: 'buy' | 'sell', price: string, quantity: string, extra?: Partial<PlaceOrderInput>): PlaceOrderInput;
}

let tenants = 0;

/** Each test trades in a tenant of its own, so that its books start from what it placed. */
export async function paperTenant(db: Database, prefix: string): Promise<PaperTenant> {
  const n = ++tenants;
  const reseller = await db.withPlatform((tx) => createReseller(tx, { slug: `${prefix}-${n}`, name: prefix }));
  const tenantId = (
    await db.withPlatform((tx) => createTenant(tx, reseller.id, { slug: `${prefix}-t${n}`, name: 'T', legalName: 'T Ltd' }, CTX))
  ).id;
  const buyer = (await db.withTenant(tenantId, (tx) => createAccount(tx, { code: 'BUY', name: 'Buyer' }, CTX))).id;
  const seller = (await db.withTenant(tenantId, (tx) => createAccount(tx, { code: 'SELL', name: 'Seller' }, CTX))).id;
  return {
    tenantId,
    buyer,
    seller,
    order: (side, price, quantity, extra = {}) => ({
      accountId: side === 'buy' ? buyer : seller,
      instrument: 'BTC-USD',
      venue: 'paper',
      side,
      type: 'limit',
      timeInForce: 'GTC',
      quantity,
      price,
      ...extra,
    }),
  };
}

/** An order's status and quantities as the record holds them, read past RLS. */
export async function recordOf(t: TestDatabase, id: string): Promise<{ status: string | undefined; cum: string; leaves: string }> {
  const [row] = await t.admin<{ status: string; cum: string; leaves: string }[]>`
    select status, cum_quantity::text as cum, leaves_quantity::text as leaves from atrium.orders where id = ${id}`;
  return { status: row?.status, cum: new Decimal(row?.cum ?? '0').toFixed(), leaves: new Decimal(row?.leaves ?? '0').toFixed() };
}
