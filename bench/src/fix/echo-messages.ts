// The two messages of the FIX echo, shared by every process of the benchmark so that both
// acceptors answer the same order with the same ExecutionReport, field for field.
import type { INewOrderSingle } from 'jspurefix/dist/types/FIX4.4/quickfix/new_order_single.js';

export const SYMBOL = 'BTC-USD';

/** A limit buy, as the initiator sends it (jspurefix typing: quantities and prices as numbers). */
export function newOrderSingle(clOrdId: string, now: Date): Omit<INewOrderSingle, 'StandardHeader' | 'StandardTrailer'> {
  return {
    ClOrdID: clOrdId,
    Side: '1',
    TransactTime: now,
    OrdType: '2',
    Instrument: { Symbol: SYMBOL },
    OrderQtyData: { OrderQty: 0.001 },
    Price: 50000.5,
  };
}

interface ReceivedOrder<Q> {
  ClOrdID: string;
  Side: string;
  Instrument?: { Symbol?: string };
  OrderQtyData?: { OrderQty?: Q };
}

/**
 * The acknowledgement (ExecType 0 New) of an order. `Q` is how a side types quantities:
 * jspurefix's numbers, or the gateway's exact decimal strings.
 */
export function executionReportFor<Q>(order: ReceivedOrder<Q>, execId: string, zero: Q) {
  return {
    OrderID: `order-${order.ClOrdID}`,
    ClOrdID: order.ClOrdID,
    ExecID: execId,
    ExecType: '0',
    OrdStatus: '0',
    Side: order.Side,
    Instrument: { Symbol: order.Instrument?.Symbol ?? '' },
    LeavesQty: order.OrderQtyData?.OrderQty ?? zero,
    CumQty: zero,
    AvgPx: zero,
  };
}
