import { oncePerTransaction, type TenantTx } from '@atrium/db';
import createError from '@fastify/error';
import { checkNotionalLimit } from './notional.ts';

export const RiskLimitBreachedError = createError('RISK_ERR_LIMIT_BREACHED', 'Order value %s exceeds the tenant’s limit of %s', 422);

export interface PreTradeOrder {
  accountId: string;
  instrument: string;
  side: 'buy' | 'sell';
  quantity: string;
  price?: string;
  /** quantity × price when the order has a price. */
  notional: string | null;
}

/**
 * The pre-trade step of the one order path. Today: the tenant's per-order
 * notional limit (default_limits.maxOrderNotional, set by its reseller).
 * Market orders carry no price, so their notional is checked when the risk
 * engine prices them (kill switch, VaR and position limits come with it).
 */
export async function checkPreTrade(tx: TenantTx, order: PreTradeOrder): Promise<void> {
  const limit = await maxOrderNotional(tx);
  if (!limit || order.notional === null || order.price === undefined) return;
  const breach = checkNotionalLimit({ quantity: order.quantity, price: order.price }, limit);
  if (breach) throw new RiskLimitBreachedError(breach.notional, breach.limit);
}

/**
 * The tenant's per-order limit, read once per transaction: the orders a batch
 * places together are checked against one value, at the cost of one statement.
 */
function maxOrderNotional(tx: TenantTx): Promise<string | null> {
  return oncePerTransaction(tx, 'risk:max-order-notional', () =>
    tx<{ max_order_notional: string | null }[]>`
      select default_limits->>'maxOrderNotional' as max_order_notional from tenants where id = ${tx.tenantId}`
      .execute()
      .then(([tenant]) => tenant?.max_order_notional ?? null),
  );
}
