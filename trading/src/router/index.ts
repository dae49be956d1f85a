export { type ConsolidatedBook, type ConsolidatedLevel, consolidateBook } from './consolidated-book.ts';
export { InvalidDecimalError, InvalidRouteRequestError, InvalidVenueBookError } from './errors.ts';
export { type BestSingleVenue, type ChildOrder, type RoutePlan, type RouteRequest, routeOrder } from './route-order.ts';
export type { BookLevel, VenueBook } from './venue-book.ts';
