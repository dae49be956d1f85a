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
export { AccountClosedError, AccountCodeTakenError, AccountNotFoundError, PaperBookNotLoadedError } from './errors.ts';
export { createPaperVenue, type PaperRecord, type PaperVenue, type PaperVenueOptions } from './execution/paper-venue.ts';
export { getInstrument, type Instrument, listInstruments, UnknownInstrumentError } from './instruments/catalogue.ts';
export {
  amendOrder,
  applyPaperTick,
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
  ReduceOnlyError,
  ReduceOnlyUnsupportedError,
  type RemoteVenueId,
  reconcileUnknownOrders,
  restorePaperBooks,
  VenueNotConfiguredError,
} from './orders/orders.ts';
export { NothingToRouteError, placeSmartOrder, type SmartOrderResult } from './orders/smart.ts';
export * as orderStateMachine from './orders/state-machine.ts';
export {
  type AccountPosition,
  type Balance,
  type ExecutionRecord,
  getBalances,
  getPnl,
  getPositions,
  listExecutions,
  paperMid,
} from './portfolio.ts';
export * as positions from './positions/index.ts';
export {
  AboveMaxQuantityError,
  applyVenuePrecision,
  BelowMinNotionalError,
  BelowMinQuantityError,
  precisionModeFromCcxt,
  RoundsToZeroError,
} from './precision.ts';
export * as router from './router/index.ts';
export { openVenueCredentials, sealVenueCredentials } from './vault/envelope.ts';
export {
  deleteVenueKeys,
  type LiveVenue,
  listVenueKeys,
  loadVenueKeys,
  storeVenueKeys,
  VenueKeysNotFoundError,
  type VenueKeysSummary,
} from './vault/venue-keys.ts';
export { createCcxtVenue } from './venues/ccxt/adapter.ts';
export type { VenueAdapter, VenueOrder, VenueOrderRequest } from './venues/types.ts';
export { VenueTimeoutError } from './venues/types.ts';
