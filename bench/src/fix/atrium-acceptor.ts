// Our side of the FIX echo, in its own process: the gateway (our session layer, PostgreSQL
// store, Logon checked against the API client's secret) answering each NewOrderSingle with
// the same ExecutionReport as the bare acceptor. Tells its parent { port } once listening;
// { cpu } over IPC answers its CPU usage; { stop } closes it (exiting normally, so --cpu-prof writes).
import { type FixGateway, isFix44Message, startFixGateway } from '@atrium/fix-gateway';
import { executionReportFor } from './echo-messages.ts';

const databaseUrl = process.env.BENCH_APP_URL;
if (!databaseUrl || !process.send) throw new Error('run by fix-echo.ts: BENCH_APP_URL and IPC are required');
// On this session the handler waits until its ExecutionReport is stored and written before
// the gateway hands it the next order (one store round trip per order); on the others it does not.
const awaitingSessionId = process.env.BENCH_FIX_AWAITING_SESSION;
let executions = 0;
let failures = 0;
const gateway: FixGateway = await startFixGateway({
  databaseUrl,
  port: 0,
  onApplicationMessage: async (session, message) => {
    if (!isFix44Message(message, 'D')) return;
    const sent = gateway.send(session.id, '8', executionReportFor(message.body, `${process.pid}-${++executions}`, '0'));
    if (session.id === awaitingSessionId) await sent;
    // A lost ExecutionReport shows up in the initiator's count; this says why.
    else sent.catch((error) => (failures++ === 0 ? console.error('FIX bench: send failed', error) : undefined));
  },
});
process.on('message', async (message: { stop?: boolean; cpu?: boolean }) => {
  if (message.cpu) process.send?.({ cpu: process.cpuUsage() });
  if (!message.stop) return;
  await gateway.close();
  process.exit(failures === 0 ? 0 : 1);
});
process.send({ port: gateway.port });
