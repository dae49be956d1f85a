// The baseline acceptor of the FIX echo, in its own process: jspurefix's stock session layer
// (AsciiSession, its TCP acceptor, its file store as it ships) answering each NewOrderSingle
// with the same ExecutionReport as the gateway. Tells its parent { port } once listening;
// { cpu } over IPC answers its CPU usage; { stop } ends it (exiting normally, so --cpu-prof writes).
import 'reflect-metadata';
import {
  AsciiSession,
  EmptyLogFactory,
  type EngineFactory,
  type IJsFixConfig,
  type ISessionDescription,
  type MsgView,
  type SessionContainer,
  SessionLauncher,
} from 'jspurefix';
import type { INewOrderSingle } from 'jspurefix/dist/types/FIX4.4/quickfix/new_order_single.js';
import { executionReportFor } from './echo-messages.ts';
import { acceptorDescription, type EchoCompIds } from './session-descriptions.ts';

let executions = 0;

class EchoAcceptor extends AsciiSession {
  // Public: AsciiSession's own constructor is protected.
  constructor(config: IJsFixConfig) {
    super(config);
  }

  protected override onApplicationMsg(msgType: string, view: MsgView): void {
    if (msgType !== 'D') return;
    // Decoded to an object as the gateway decodes it for its handler.
    const order = view.toObject() as INewOrderSingle;
    this.send('8', executionReportFor(order, `${process.pid}-${++executions}`, 0));
  }

  protected override onLogon(_view: MsgView, _user: string, _password: string): boolean {
    return true;
  }

  protected override onReady(_view: MsgView): void {}
  protected override onStopped(_error?: Error): void {}
  protected override onDecoded(_msgType: string, _txt: string): void {}
  protected override onEncoded(_msgType: string, _txt: string): void {}
}

class EchoAcceptorLauncher extends SessionLauncher {
  constructor(description: ISessionDescription) {
    // No logging, as the gateway logs nothing per message by default.
    super(null, description, new EmptyLogFactory());
  }

  protected override makeFactory(_config: IJsFixConfig): EngineFactory {
    // The session's own scoped config, as jspurefix's acceptor documentation asks.
    return { makeSession: (sessionConfig: IJsFixConfig) => new EchoAcceptor(sessionConfig) };
  }

  protected override getAcceptor(sessionContainer: ReturnType<SessionContainer['newChild']>): Promise<unknown> {
    // start() binds the port synchronously (net.Server.listen on a port number) and resolves only at stop.
    const running = super.getAcceptor(sessionContainer);
    process.send?.({ port });
    return running;
  }
}

const port = Number(process.env.BENCH_FIX_PORT);
const storeDirectory = process.env.BENCH_FIX_STORE;
const compIds = JSON.parse(process.env.BENCH_FIX_COMP_IDS ?? 'null') as EchoCompIds | null;
if (!port || !storeDirectory || !compIds || !process.send) {
  throw new Error('run by fix-echo.ts: BENCH_FIX_PORT, BENCH_FIX_STORE, BENCH_FIX_COMP_IDS and IPC are required');
}
const launcher = new EchoAcceptorLauncher(acceptorDescription({ compIds, port, storeDirectory }));
process.on('message', (message: { stop?: boolean; cpu?: boolean }) => {
  if (message.cpu) process.send?.({ cpu: process.cpuUsage() });
  if (message.stop) launcher.stop();
});
await launcher.run();
process.exit(0);
