export {
  type Account,
  type AccountChanges,
  type AccountStatus,
  closeAccount,
  createAccount,
  getAccount,
  listAccounts,
  type NewAccount,
  updateAccount,
} from './accounts/accounts.ts';
export { AccountClosedError, AccountCodeTakenError, AccountNotFoundError } from './errors.ts';
export { createPaperVenue, type PaperVenue, type PaperVenueOptions } from './execution/paper-venue.ts';
export { getInstrument, type Instrument, listInstruments, UnknownInstrumentError } from './instruments/catalogue.ts';
export {
  amendOrder,
  applyPaperTick,
  BelowMinNotionalError,
  BOOK_CHANNEL,
  ClientOrderIdTakenError,
  cancelOrder,
  cancelOrders,
  EXECUTION_CHANNEL,
  type Execution,
  getOrder,
  InvalidOrderError,
  listOrders,
  ORDER_CHANNEL,
  type Order,
  type OrderFilter,
  OrderNotFoundError,
  OrderNotOpenError,
  type OrderServices,
  type PlaceOrderInput,
  type PreTradeCheck,
  placeOrder,
  RoundsToZeroError,
} from './orders/orders.ts';
