export { checkNotionalLimit, InvalidDecimalError, type NotionalBreach, notional } from './notional.ts';
export { checkPreTrade, type PreTradeOrder, RiskLimitBreachedError } from './pre-trade.ts';
