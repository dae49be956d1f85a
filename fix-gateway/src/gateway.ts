// The FIX 4.4 acceptor: TCP (or TLS) connections, Logon routing by CompIDs, one bound
// session per live counterparty, and the sessions table watched so that sessions are
// added, changed and removed while it runs.
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { connectPostgres, createDatabase, type Database } from '@atrium/db';
import { apiClientAuthenticator, type LogonAuthenticator } from './authentication.ts';
import {
  FixMessageInvalidError,
  FixSessionBusyError,
  FixSessionNotFoundError,
  FixSessionNotLoggedOnError,
  FixUnsupportedMessageTypeError,
} from './errors.ts';
import {
  type Fix44Body,
  type Fix44Messages,
  type Fix44MsgType,
  type IStandardHeader,
  isAdminMsgType,
  loadFix44Dictionary,
} from './fix44.ts';
import {
  encodeFields,
  encodeFrame,
  type Field,
  FrameReader,
  formatUtcTimestamp,
  parseUtcTimestamp,
  redactForLog,
  tokenise,
} from './session/frames.ts';
import { SessionLocks } from './session/locks.ts';
import { buildResend, MAX_SEQ_NUM, type OutboundFrame, type SessionAction, SessionMachine } from './session/machine.ts';
import { InboundMessage } from './session/message.ts';
import { SessionStore } from './session/store.ts';
import { FIX_SESSION_COLUMNS, type FixSession, type FixSessionRow, toFixSession } from './sessions-table.ts';

/** pino-compatible. */
export interface FixLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

const SILENT: FixLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Who a message came from, as the application sees it. */
export interface FixSessionRef {
  id: string;
  tenantId: string;
  name: string;
  senderCompId: string;
  targetCompId: string;
  apiClientId: string | null;
}

export interface FixApplicationMessage {
  msgType: string;
  seq: number;
  possDup: boolean;
  header: IStandardHeader;
  /** Decoded by jspurefix from the FIX 4.4 dictionary; decimals as exact strings. Narrow with isFix44Message. */
  body: Fix44Body;
  /** A field's exact text (first occurrence). */
  get(tag: number): string | undefined;
  fields: readonly Field[];
}

export type TypedApplicationMessage<K extends Fix44MsgType> = Omit<FixApplicationMessage, 'msgType' | 'body'> & {
  msgType: K;
  body: Fix44Messages[K];
};

export function isFix44Message<K extends Fix44MsgType>(
  message: FixApplicationMessage,
  msgType: K,
): message is FixApplicationMessage & TypedApplicationMessage<K> {
  return message.msgType === msgType;
}

export type ApplicationMessageHandler = (session: FixSessionRef, message: FixApplicationMessage) => void | Promise<void>;

export interface FixGatewayOptions {
  /** The runtime role (atrium_app): the gateway opens its own pools and its lock connection. */
  databaseUrl: string;
  host?: string;
  /** 0 picks a free port (see `port` on the result). */
  port?: number;
  /** TLS instead of plain TCP. */
  tls?: TlsOptions;
  instanceId?: string;
  sendingTimeToleranceSeconds?: number;
  /** A connection that has not logged on by then is closed. */
  logonTimeoutMs?: number;
  /** After our Logout, how long we wait for theirs. */
  logoutTimeoutMs?: number;
  maxMessageBytes?: number;
  /** Bytes queued for a counterparty that does not read before it is disconnected (default 8 MiB). */
  maxWritableBytes?: number;
  /** Application MsgTypes onApplicationMessage accepts; others get a BusinessMessageReject. Default D, F, G, H with a handler, none without. */
  applicationMessageTypes?: readonly string[];
  onApplicationMessage?: ApplicationMessageHandler;
  /** Default: the session's API client (Username = client id, Password = its secret). */
  authenticateLogon?: LogonAuthenticator;
  logger?: FixLogger;
  /** Safety net besides LISTEN/NOTIFY. */
  reloadIntervalMs?: number;
}

export interface FixSessionStatus {
  session: FixSessionRef;
  enabled: boolean;
  loggedOn: boolean;
  remoteAddress: string | null;
  nextSenderSeq: number | null;
  nextTargetSeq: number | null;
}

export interface FixGateway {
  readonly host: string;
  readonly port: number;
  readonly instanceId: string;
  /** Sends an application message on a logged-on session; resolves with its MsgSeqNum once stored and written. */
  send<K extends string>(sessionId: string, msgType: K, body: K extends Fix44MsgType ? Fix44Messages[K] : Fix44Body): Promise<number>;
  sessions(): FixSessionStatus[];
  /** Reads the sessions table now (it is also watched). */
  reloadSessions(): Promise<void>;
  /** Resolves when the session is neither logged on nor being logged on or off here. */
  whenSessionIdle(sessionId: string, timeoutMs?: number): Promise<void>;
  /** Logs the session out (Logout handshake), if it is logged on here. */
  logout(sessionId: string, text: string): Promise<void>;
  close(): Promise<void>;
}

/** Only testing.ts sets this: it lets the gateway accept the acceptance scripts' unauthenticated session. */
export const ALLOW_TEST_SESSIONS: unique symbol = Symbol('atrium.fix.allowTestSessions');
export type InternalGatewayOptions = FixGatewayOptions & { [ALLOW_TEST_SESSIONS]?: boolean };

const DEFAULT_APPLICATION_TYPES = ['D', 'F', 'G', 'H'];
const MAX_HEARTBT_INT = 3600;
const MAX_QUEUED_FRAMES = 512;
/** Messages held ahead of a sequence gap, in bytes (their count is capped too). */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;
/** Stored messages read per query when answering a ResendRequest. */
const RESEND_CHUNK = 500;
/** Bytes waiting for a counterparty that does not read: beyond this it is disconnected. */
const DEFAULT_MAX_WRITABLE_BYTES = 8 * 1024 * 1024;
/** How long a resend waits for the socket to drain (ticks wait behind it, so this bounds the stall). */
const DRAIN_TIMEOUT_MS = 30_000;

export async function startFixGateway(options: InternalGatewayOptions): Promise<FixGateway> {
  const logger = options.logger ?? SILENT;
  const instanceId = options.instanceId ?? `fix-${randomUUID().slice(0, 8)}`;
  const allowTestSessions = options[ALLOW_TEST_SESSIONS] === true && process.env.NODE_ENV !== 'production';
  const toleranceMs = (options.sendingTimeToleranceSeconds ?? 120) * 1000;
  const logonTimeoutMs = options.logonTimeoutMs ?? 10_000;
  const logoutTimeoutMs = options.logoutTimeoutMs ?? 2_000;
  const maxMessageBytes = options.maxMessageBytes ?? 64 * 1024;
  const maxWritableBytes = options.maxWritableBytes ?? DEFAULT_MAX_WRITABLE_BYTES;
  const applicationTypes = new Set(options.applicationMessageTypes ?? (options.onApplicationMessage ? DEFAULT_APPLICATION_TYPES : []));

  const dictionary = await loadFix44Dictionary();
  const db = createDatabase({ url: options.databaseUrl, poolSize: 4, applicationName: 'atrium-fix-gateway' });
  const sql = connectPostgres(options.databaseUrl, {
    max: 4,
    prepare: true,
    onnotice: () => {},
    connection: { application_name: 'atrium-fix-gateway-store', search_path: 'atrium', TimeZone: 'UTC', statement_timeout: 5000 },
  });
  const locks = new SessionLocks(options.databaseUrl);
  const authenticate = options.authenticateLogon ?? apiClientAuthenticator(db);

  interface ConfiguredSession {
    config: FixSession;
    active: BoundSession | null;
    /** Logons being checked for it right now (for whenSessionIdle; they do not block each other). */
    logons: number;
    /** An authenticated Logon is binding it: of two racing, the first to get here wins. */
    binding: boolean;
  }
  const sessionsById = new Map<string, ConfiguredSession>();
  const connections = new Set<Connection>();
  let closing = false;

  function findByCompIds(ourCompId: string, theirCompId: string): ConfiguredSession | 'ambiguous' | null {
    let found: ConfiguredSession | null = null;
    for (const entry of sessionsById.values()) {
      if (entry.config.senderCompId === ourCompId && entry.config.targetCompId === theirCompId) {
        if (found) return 'ambiguous';
        found = entry;
      }
    }
    return found;
  }

  async function reloadSessions(): Promise<void> {
    const rows = await db.withPlatform(
      (tx) =>
        tx<FixSessionRow[]>`select ${tx.unsafe(FIX_SESSION_COLUMNS)} from fix_sessions where removed_at is null order by tenant_id, id`,
    );
    const seen = new Set<string>();
    for (const row of rows) {
      const config = toFixSession(row);
      seen.add(config.id);
      const entry = sessionsById.get(config.id);
      if (!entry) {
        sessionsById.set(config.id, { config, active: null, logons: 0, binding: false });
        logger.info({ sessionId: config.id, tenantId: config.tenantId }, 'FIX session added');
        continue;
      }
      const before = entry.config;
      entry.config = config;
      const identityChanged =
        before.senderCompId !== config.senderCompId ||
        before.targetCompId !== config.targetCompId ||
        before.apiClientId !== config.apiClientId ||
        before.authentication !== config.authentication;
      if (entry.active && (identityChanged || !config.enabled)) {
        logger.info({ sessionId: config.id }, 'FIX session changed: logging it out');
        entry.active.logout(config.enabled ? 'Session configuration changed' : 'Session disabled');
      }
    }
    for (const [id, entry] of sessionsById) {
      if (seen.has(id)) continue;
      sessionsById.delete(id);
      logger.info({ sessionId: id }, 'FIX session removed');
      // Its state and messages stay (removal is soft): the Logout is stored like any other; no answer is awaited.
      if (entry.active) entry.active.abort('Session removed');
    }
  }

  let reloadTimer: NodeJS.Timeout | null = null;
  function scheduleReload(): void {
    reloadTimer ??= setTimeout(() => {
      reloadTimer = null;
      reloadSessions().catch((error) => logger.error({ err: error }, 'FIX session reload failed'));
    }, 20);
  }

  await reloadSessions();
  const listener = await db.listen('atrium_fix_sessions', scheduleReload);
  const periodicReload = setInterval(scheduleReload, options.reloadIntervalMs ?? 30_000);
  periodicReload.unref();

  locks.whenLost(() => {
    logger.error({ instanceId }, 'FIX lock connection lost: dropping every session');
    for (const entry of sessionsById.values()) entry.active?.connection.destroy('lock connection lost');
  });

  const ticker = setInterval(() => {
    const now = Date.now();
    for (const entry of sessionsById.values()) entry.active?.tick(now);
  }, 200);
  ticker.unref();

  function sessionRef(config: FixSession): FixSessionRef {
    return {
      id: config.id,
      tenantId: config.tenantId,
      name: config.name,
      senderCompId: config.senderCompId,
      targetCompId: config.targetCompId,
      apiClientId: config.apiClientId,
    };
  }

  /** A session bound to a connection after a successful Logon. */
  class BoundSession {
    readonly entry: ConfiguredSession;
    /** The configuration it was authenticated and bound with: its CompIDs until it ends, even if the row changes. */
    readonly config: FixSession;
    readonly connection: Connection;
    readonly machine: SessionMachine;
    readonly store: SessionStore;
    private lastWrite: Promise<void> = Promise.resolve();
    /** Every step (machine call and its actions) runs here in turn, so the wire order is the sequence order. */
    private steps: Promise<unknown> = Promise.resolve();
    private pendingSteps = 0;
    /** The target sequence the store may record: not past a message whose handler has not returned (at-least-once). */
    private confirmedTargetSeq: number;
    private released: Promise<void> | null = null;

    constructor(entry: ConfiguredSession, config: FixSession, connection: Connection, store: SessionStore) {
      this.entry = entry;
      this.config = config;
      this.connection = connection;
      this.store = store;
      this.machine = new SessionMachine(
        {
          identity: { beginString: config.beginString, senderCompId: config.senderCompId, targetCompId: config.targetCompId },
          dictionary,
          sendingTimeToleranceMs: toleranceMs,
          logoutTimeoutMs,
          maxQueuedMessages: 10_000,
          maxQueuedBytes: MAX_QUEUED_BYTES,
          isSupportedApplicationType: (msgType) => applicationTypes.has(msgType),
        },
        store.sequences,
        Date.now(),
      );
      this.confirmedTargetSeq = this.machine.nextTargetSeq;
    }

    get ref(): FixSessionRef {
      return sessionRef(this.config);
    }

    /** Runs `work` after every step queued before it. */
    private step<T>(work: () => Promise<T>): Promise<T> {
      this.pendingSteps++;
      const result = this.steps.then(work).finally(() => this.pendingSteps--);
      this.steps = result.catch(() => {});
      return result;
    }

    logon(message: InboundMessage, reset: boolean): Promise<void> {
      return this.receiveWith(() => this.machine.logon(message, Date.now(), reset));
    }

    receive(message: InboundMessage): Promise<void> {
      return this.receiveWith(() => this.machine.receive(message, Date.now()));
    }

    /** Inbound: the machine's actions in the step queue; the handler after it, so that it may call send(). */
    private async receiveWith(next: () => SessionAction[]): Promise<void> {
      const deliveries = await this.step(() => this.apply(next()));
      if (deliveries.length === 0) return;
      for (const message of deliveries) await this.deliver(message);
      this.confirmedTargetSeq = this.machine.nextTargetSeq;
      this.store.setNextTargetSeq(this.confirmedTargetSeq);
    }

    tick(now: number): void {
      // Ticks do not pile up behind a slow step.
      if (this.pendingSteps > 0) return;
      this.step(() => this.apply(this.machine.tick(now))).catch((error) => this.connection.destroy(error));
    }

    logout(text: string): void {
      this.step(() => this.apply(this.machine.logout(text, Date.now()))).catch((error) => this.connection.destroy(error));
    }

    /** Logout, then disconnect without waiting for the answer: the stream cannot be trusted. */
    abort(text: string): void {
      this.step(async () => {
        await this.apply(this.machine.logout(text, Date.now()));
        this.machine.closed = true;
        this.connection.endAfter(this.lastWrite);
      }).catch((error) => this.connection.destroy(error));
    }

    async sendApplication(msgType: string, payload: Buffer): Promise<number> {
      // The write is awaited outside the step, so that concurrent sends share a store commit.
      const { seq, written } = await this.step(async () => {
        if (!this.machine.loggedOn || this.machine.closed) throw new FixSessionNotLoggedOnError(this.config.id);
        const actions = this.machine.sendApplication(msgType, payload, Date.now());
        const sent = actions.find((action) => action.type === 'send');
        await this.apply(actions);
        return { seq: sent?.type === 'send' ? sent.frame.seq : 0, written: this.lastWrite };
      });
      await written;
      return seq;
    }

    /**
     * Carries out the machine's actions in order (call inside a step) and returns the messages
     * to deliver; the store learns the target sequence after them.
     */
    private async apply(actions: SessionAction[]): Promise<InboundMessage[]> {
      const deliveries: InboundMessage[] = [];
      for (const action of actions) {
        switch (action.type) {
          case 'send':
            this.write(action.frame);
            break;
          case 'reset-sequences':
            await this.store.reset({ instanceId });
            this.confirmedTargetSeq = 1;
            break;
          case 'resend':
            await this.resend(action.begin, action.end);
            break;
          case 'deliver':
            deliveries.push(action.message);
            break;
          case 'disconnect':
            logger.info({ sessionId: this.config.id, reason: action.reason }, 'FIX session disconnecting');
            this.connection.endAfter(this.lastWrite);
            break;
          case 'event':
            logger.debug({ sessionId: this.config.id, event: action.text }, 'FIX session event');
            break;
        }
      }
      if (deliveries.length === 0) this.confirmedTargetSeq = this.machine.nextTargetSeq;
      this.store.setNextTargetSeq(this.confirmedTargetSeq);
      return deliveries;
    }

    /** Reads the store in chunks, and waits for the socket to drain between them. */
    private async resend(begin: number, end: number): Promise<void> {
      for (let from = begin; from <= end; from += RESEND_CHUNK) {
        const to = Math.min(end, from + RESEND_CHUNK - 1);
        const stored = await this.store.read(from, to);
        for (const frame of buildResend(stored, from, to, Date.now())) this.write(frame);
        await this.lastWrite;
        await this.connection.drained();
        if (this.connection.isClosed) return;
      }
    }

    private write(frame: OutboundFrame): void {
      const config = this.config;
      const bytes = encodeFrame(
        {
          beginString: config.beginString,
          msgType: frame.msgType,
          seq: frame.seq,
          senderCompId: config.senderCompId,
          targetCompId: config.targetCompId,
          sendingTime: frame.sendingTime,
          possDup: frame.possDup,
          origSendingTime: frame.origSendingTime,
        },
        frame.payload,
      );
      const stored = frame.persist
        ? this.store.append({ seq: frame.seq, msgType: frame.msgType, sendingTime: frame.sendingTime, payload: frame.payload })
        : null;
      // Written strictly in order, and only once stored: what we sent can always be resent.
      this.lastWrite = this.lastWrite
        .then(() => stored)
        .then(() => this.connection.write(bytes))
        .catch((error) => this.connection.destroy(error));
    }

    private async deliver(message: InboundMessage): Promise<void> {
      const handler = options.onApplicationMessage;
      if (!handler) return;
      let decoded: { header: IStandardHeader; body: Fix44Body } | null = null;
      try {
        decoded = dictionary.decode(message.bytes);
      } catch (error) {
        logger.warn({ sessionId: this.config.id, err: error }, 'FIX message could not be decoded');
      }
      if (!decoded?.header) {
        // The handler never sees a message it cannot read.
        await this.businessReject(message, '4', 'Message could not be decoded');
        return;
      }
      const application: FixApplicationMessage = {
        msgType: message.msgType,
        seq: message.seq ?? 0,
        possDup: message.possDup,
        header: decoded.header,
        body: decoded.body,
        get: (tag) => message.get(tag),
        fields: message.fields,
      };
      try {
        await handler(this.ref, application);
      } catch (error) {
        const unsupported = error instanceof FixUnsupportedMessageTypeError;
        if (!unsupported) logger.error({ sessionId: this.config.id, err: error }, 'FIX application handler failed');
        await this.businessReject(message, unsupported ? '3' : '4', unsupported ? 'Unsupported Message Type' : 'Application not available');
      }
    }

    private businessReject(message: InboundMessage, reason: string, text: string): Promise<void> {
      const fields: [number, string][] = [
        [45, String(message.seq ?? 0)],
        [58, text],
        [372, message.msgType],
        [380, reason],
      ];
      return this.step(async () => {
        if (this.machine.loggedOn) await this.apply(this.machine.sendApplication('j', encodeFields(fields), Date.now()));
      });
    }

    /** Once: flush, give up ownership, unlock. */
    release(reason: string): Promise<void> {
      this.released ??= (async () => {
        this.machine.closed = true;
        try {
          await this.store.release({ instanceId, reason });
        } catch (error) {
          logger.warn({ sessionId: this.config.id, err: error }, 'FIX session release failed');
        }
        try {
          await locks.release(this.config.id);
        } catch (error) {
          logger.warn({ sessionId: this.config.id, err: error }, 'FIX session unlock failed');
        }
        if (this.entry.active === this) this.entry.active = null;
      })();
      return this.released;
    }
  }

  class Connection {
    readonly socket: Socket;
    readonly remoteAddress: string;
    private readonly reader = new FrameReader({ maxMessageBytes });
    private readonly frames: ReturnType<FrameReader['push']> = [];
    private processing = false;
    private bound: BoundSession | null = null;
    private state: 'awaiting-logon' | 'logging-on' | 'bound' | 'closed' = 'awaiting-logon';
    private readonly logonTimer: NodeJS.Timeout;
    closed: Promise<void>;

    constructor(socket: Socket) {
      this.socket = socket;
      this.remoteAddress = socket.remoteAddress ?? '';
      socket.setNoDelay(true);
      this.logonTimer = setTimeout(() => {
        if (this.state === 'awaiting-logon' || this.state === 'logging-on') this.destroy('no Logon in time');
      }, logonTimeoutMs);
      this.closed = new Promise((resolve) => {
        socket.on('close', () => {
          clearTimeout(this.logonTimer);
          this.state = 'closed';
          connections.delete(this);
          const bound = this.bound;
          if (bound) bound.release('disconnected').then(resolve, resolve);
          else resolve();
        });
      });
      socket.on('error', (error) => logger.debug({ err: error, remoteAddress: this.remoteAddress }, 'FIX connection error'));
      socket.on('data', (chunk: Buffer) => this.receive(chunk));
      socket.on('end', () => socket.end());
    }

    private receive(chunk: Buffer): void {
      if (this.state === 'closed') return;
      for (const event of this.reader.push(chunk)) this.frames.push(event);
      // Backpressure instead of unbounded buffering: stop reading until the queue drains.
      if (this.frames.length > MAX_QUEUED_FRAMES) this.socket.pause();
      this.pump().catch((error) => this.destroy(error));
    }

    private async pump(): Promise<void> {
      if (this.processing) return;
      this.processing = true;
      try {
        while (this.frames.length > 0 && this.state !== 'closed') {
          const event = this.frames.shift() as ReturnType<FrameReader['push']>[number];
          if (this.frames.length < MAX_QUEUED_FRAMES / 2 && this.socket.isPaused()) this.socket.resume();
          await this.handle(event);
        }
      } finally {
        this.processing = false;
      }
    }

    private async handle(event: ReturnType<FrameReader['push']>[number]): Promise<void> {
      if (event.kind === 'overflow') {
        logger.warn({ remoteAddress: this.remoteAddress, reason: event.reason }, 'FIX message too large');
        if (this.bound?.machine.loggedOn) this.bound.abort('Message too large');
        else this.destroy(event.reason);
        return;
      }
      const tokenised = event.kind === 'frame' ? tokenise(event.bytes) : null;
      if (event.kind === 'garbled' || !tokenised?.ok) {
        const reason = event.kind === 'garbled' ? event.reason : tokenised && !tokenised.ok ? tokenised.reason : 'garbled';
        logger.debug({ remoteAddress: this.remoteAddress, reason, message: redactForLog(event.bytes) }, 'FIX garbled message ignored');
        // Before Logon there is no session to keep: a garbled Logon closes the connection.
        if (this.state !== 'bound') this.destroy(`garbled message before Logon: ${reason}`);
        return;
      }
      const message = new InboundMessage(event.bytes, tokenised.fields);
      if (this.state === 'awaiting-logon') {
        this.state = 'logging-on';
        await this.logon(message);
        return;
      }
      if (this.state === 'bound' && this.bound) {
        await this.bound.receive(message);
      }
    }

    private async logon(message: InboundMessage): Promise<void> {
      const now = Date.now();
      // Whoever this is, they are not a session yet: anything wrong here closes the connection silently.
      if (message.msgType !== 'A' || message.beginString !== 'FIX.4.4') return this.destroy('first message is not a FIX.4.4 Logon');
      const heartBtInt = message.get(108);
      if (
        message.seq === null ||
        message.seq > MAX_SEQ_NUM ||
        !message.has(49) ||
        !message.has(56) ||
        !message.has(52) ||
        message.get(98) === undefined ||
        heartBtInt === undefined ||
        !/^\d{1,4}$/.test(heartBtInt) ||
        Number(heartBtInt) > MAX_HEARTBT_INT
      ) {
        return this.destroy('invalid Logon');
      }
      const entry = findByCompIds(message.get(56) as string, message.get(49) as string);
      if (entry === 'ambiguous') {
        logger.error({ senderCompId: message.get(56), targetCompId: message.get(49) }, 'FIX CompIDs match more than one session');
        return this.destroy('ambiguous CompIDs');
      }
      if (!entry?.config.enabled) return this.destroy('unknown or disabled session');
      if (entry.config.authentication === 'test-unauthenticated' && !allowTestSessions) {
        logger.warn({ sessionId: entry.config.id }, 'FIX test-only session refused outside tests');
        return this.destroy('test-only session');
      }
      // A closing session finishes its release first; a live one is never touched.
      if (entry.active && (entry.active.machine.closed || entry.active.connection.isClosed)) await entry.active.release('disconnected');
      if (entry.active) return this.refuseSecondLogon(entry);
      // Authentication runs unserialised: only an authenticated Logon may hold the session's
      // binding step, so a stream of bad Logons cannot keep the real counterparty out.
      const config = entry.config;
      entry.logons++;
      try {
        const sendingTime = parseUtcTimestamp(message.get(52) ?? '');
        if (sendingTime === null || Math.abs(now - sendingTime) > toleranceMs) {
          return await this.refuse(config, message, 'SendingTime accuracy problem');
        }
        if (config.authentication === 'api-client') {
          const decision = await authenticate({
            session: config,
            username: message.get(553),
            password: message.get(554),
            remoteAddress: this.remoteAddress,
          });
          if (!decision.ok) {
            logger.warn({ sessionId: config.id, remoteAddress: this.remoteAddress }, 'FIX Logon refused by authentication');
            return await this.refuse(config, message, decision.reason);
          }
        }
        if (this.isClosed) return;
        if (entry.binding) return this.refuseSecondLogon(entry);
        entry.binding = true;
        try {
          await this.bind(entry, config, message);
        } finally {
          entry.binding = false;
        }
      } finally {
        entry.logons--;
      }
    }

    private refuseSecondLogon(entry: ConfiguredSession): void {
      logger.warn({ sessionId: entry.config.id, remoteAddress: this.remoteAddress }, 'FIX second Logon for an active session refused');
      this.destroy('session already logged on');
    }

    /** The serialised step: the session must still be what was authenticated, and free. */
    private async bind(entry: ConfiguredSession, config: FixSession, message: InboundMessage): Promise<void> {
      if (entry.active && (entry.active.machine.closed || entry.active.connection.isClosed)) await entry.active.release('disconnected');
      if (entry.active) return this.refuseSecondLogon(entry);
      const current = entry.config;
      if (
        sessionsById.get(config.id) !== entry ||
        !current.enabled ||
        current.apiClientId !== config.apiClientId ||
        current.authentication !== config.authentication ||
        current.senderCompId !== config.senderCompId ||
        current.targetCompId !== config.targetCompId
      ) {
        logger.warn({ sessionId: config.id, remoteAddress: this.remoteAddress }, 'FIX session changed during Logon: refused');
        return this.destroy('session changed during Logon');
      }
      if (!(await locks.tryAcquire(config.id))) return await this.refuse(config, message, 'Session is active elsewhere');
      let store: SessionStore;
      try {
        store = await SessionStore.claim(
          { db, sql, tenantId: config.tenantId, sessionId: config.id, owner: randomUUID() },
          { instanceId, remoteAddress: this.remoteAddress },
        );
      } catch (error) {
        await locks.release(config.id).catch(() => {});
        throw error;
      }
      const bound = new BoundSession(entry, current, this, store);
      entry.active = bound;
      this.bound = bound;
      if (this.isClosed) {
        await bound.release('disconnected during Logon');
        return;
      }
      this.state = 'bound';
      clearTimeout(this.logonTimer);
      logger.info({ sessionId: config.id, tenantId: config.tenantId, remoteAddress: this.remoteAddress }, 'FIX session logged on');
      await bound.logon(message, current.resetOnLogon || message.get(141) === 'Y');
    }

    /** A Logout for a known session's Logon we refuse: outside the session's sequence, which it must not change. */
    private async refuse(config: FixSession, logon: InboundMessage, text: string): Promise<void> {
      const seq = await SessionStore.peekNextSenderSeq(db, config.tenantId, config.id);
      const frame = encodeFrame(
        {
          beginString: config.beginString,
          msgType: '5',
          seq,
          senderCompId: config.senderCompId,
          targetCompId: config.targetCompId,
          sendingTime: formatUtcTimestamp(Date.now()),
        },
        encodeFields([[58, text]]),
      );
      logger.info({ sessionId: config.id, reason: text, logonSeq: logon.seq }, 'FIX Logon refused');
      this.write(frame);
      this.endAfter(Promise.resolve());
    }

    write(bytes: Buffer): void {
      if (this.state === 'closed' || this.socket.destroyed) return;
      this.socket.write(bytes);
      if (this.socket.writableLength > maxWritableBytes) {
        logger.warn(
          { remoteAddress: this.remoteAddress, buffered: this.socket.writableLength },
          'FIX counterparty not reading: disconnecting',
        );
        this.destroy('counterparty not reading');
      }
    }

    /** Resolves once the socket has room again (or is gone); a counterparty that stops reading is dropped. */
    drained(): Promise<void> {
      if (!this.socket.writableNeedDrain || this.socket.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => this.destroy('counterparty not reading'), DRAIN_TIMEOUT_MS);
        const done = () => {
          clearTimeout(timer);
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    }

    /** Half-close once `previous` has been written; destroy if the peer lingers. */
    endAfter(previous: Promise<void>): void {
      previous.then(() => {
        if (this.socket.destroyed) return;
        this.socket.end();
        setTimeout(() => this.socket.destroy(), 1000).unref();
      });
    }

    get isClosed(): boolean {
      return this.state === 'closed';
    }

    destroy(reason: unknown): void {
      if (this.state !== 'closed') {
        logger.debug(
          { remoteAddress: this.remoteAddress, reason: reason instanceof Error ? reason.message : String(reason) },
          'FIX connection closed',
        );
      }
      this.socket.destroy();
    }
  }

  const onConnection = (socket: Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    connections.add(new Connection(socket));
  };
  const server: Server = options.tls ? createTlsServer(options.tls, onConnection) : createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors after listening (EMFILE on accept, TLS server errors) must not crash the process.
  server.on('error', (error) => logger.error({ err: error }, 'FIX server error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  logger.info({ instanceId, port, tls: Boolean(options.tls) }, 'FIX gateway listening');

  return {
    host: options.host ?? '127.0.0.1',
    port,
    instanceId,
    async send(sessionId, msgType, body) {
      const entry = sessionsById.get(sessionId);
      if (!entry) throw new FixSessionNotFoundError();
      // Session-level messages are the session layer's alone: one from outside would break its sequencing.
      if (isAdminMsgType(msgType)) throw new FixMessageInvalidError(`MsgType ${msgType} is a session-level message`);
      if (!dictionary.isDefinedMsgType(msgType)) throw new FixMessageInvalidError(`unknown MsgType ${msgType}`);
      const active = entry.active;
      if (!active?.machine.loggedOn) throw new FixSessionNotLoggedOnError(sessionId);
      return active.sendApplication(msgType, dictionary.encodeBody(msgType, body as Fix44Body));
    },
    sessions() {
      return [...sessionsById.values()].map((entry) => ({
        session: sessionRef(entry.config),
        enabled: entry.config.enabled,
        loggedOn: entry.active?.machine.loggedOn ?? false,
        remoteAddress: entry.active?.connection.remoteAddress ?? null,
        nextSenderSeq: entry.active?.machine.nextSenderSeq ?? null,
        nextTargetSeq: entry.active?.machine.nextTargetSeq ?? null,
      }));
    },
    reloadSessions,
    async whenSessionIdle(sessionId, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const entry = sessionsById.get(sessionId);
        if (!entry || (!entry.active && entry.logons === 0 && !entry.binding)) return;
        if (Date.now() > deadline) throw new FixSessionBusyError(sessionId);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async logout(sessionId, text) {
      sessionsById.get(sessionId)?.active?.logout(text);
    },
    async close() {
      closing = true;
      // server.close() resolves only once every connection has ended: those are ended below.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const entry of sessionsById.values()) entry.active?.logout('Gateway shutting down');
      const pending = [...connections];
      const deadline = new Promise((resolve) => setTimeout(resolve, logoutTimeoutMs + 500).unref());
      await Promise.race([Promise.all(pending.map((connection) => connection.closed)), deadline]);
      for (const connection of connections) connection.destroy('gateway closing');
      await Promise.all(pending.map((connection) => connection.closed));
      await serverClosed;
      clearInterval(ticker);
      clearInterval(periodicReload);
      if (reloadTimer) clearTimeout(reloadTimer);
      await listener.unlisten().catch(() => {});
      await locks.close();
      await sql.end({ timeout: 5 });
      await db.close();
    },
  };
}

export type { Database };
