export { renderAuditTrailCsv } from './audit-trail-csv.ts';
