export { checkNotionalLimit, InvalidDecimalError, type NotionalBreach, notional } from './notional.ts';
