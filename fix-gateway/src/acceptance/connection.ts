// One TCP connection from the runner to the acceptor: raw bytes out, framed messages in, and bounded waits.

import net from 'node:net';
import { FixFrameReader, type ReceivedFrame } from './frames.ts';

export type NextFrameOutcome =
  | { kind: 'frame'; frame: ReceivedFrame }
  | { kind: 'closed'; reason: string; leftover: string }
  | { kind: 'timeout'; leftover: string };

export type PeerCloseOutcome = { kind: 'closed' } | { kind: 'data'; frames: ReceivedFrame[]; leftover: string } | { kind: 'timeout' };

export interface UnreadData {
  frames: ReceivedFrame[];
  leftover: string;
}

export class AcceptorConnection {
  readonly #socket: net.Socket;
  readonly #reader = new FixFrameReader();
  readonly #frames: ReceivedFrame[] = [];
  #closedBecause: string | undefined;
  #fullyClosed = false;
  #wakeWaiter: (() => void) | undefined;

  static open(host: string, port: number, timeoutMs: number): Promise<AcceptorConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no TCP connection to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${host}:${port}: ${error.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new AcceptorConnection(socket));
      });
    });
  }

  constructor(socket: net.Socket) {
    this.#socket = socket;
    // Each scripted message goes out on its own, as QuickFIX's runner writes them.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#frames.push(...this.#reader.push(chunk.toString('latin1')));
      this.#wake();
    });
    socket.on('end', () => this.#markClosed('the acceptor closed the connection'));
    socket.on('error', (error) => this.#markClosed(`connection error: ${error.message}`));
    socket.on('close', () => {
      this.#fullyClosed = true;
      this.#markClosed('the connection closed');
    });
  }

  get closedByPeer(): boolean {
    return this.#closedBecause !== undefined;
  }

  /** Resolves false when the acceptor has already closed, or the write fails, so the bytes were not delivered. */
  send(bytes: string): Promise<boolean> {
    if (this.closedByPeer || this.#socket.writableEnded) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#socket.write(Buffer.from(bytes, 'latin1'), (error) => resolve(error == null));
    });
  }

  /** The next frame, in arrival order, including malformed ones (the caller judges them). */
  async nextFrame(timeoutMs: number): Promise<NextFrameOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.#frames.shift();
      if (frame !== undefined) return { kind: 'frame', frame };
      if (this.#closedBecause !== undefined) return { kind: 'closed', reason: this.#closedBecause, leftover: this.#reader.pendingBytes };
      if (!(await this.#waitForActivity(deadline))) return { kind: 'timeout', leftover: this.#reader.pendingBytes };
    }
  }

  /** Waits for the acceptor to close; any byte received first (even unread from before) is a `data` outcome. */
  async waitForPeerClose(timeoutMs: number): Promise<PeerCloseOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#frames.length > 0 || this.#reader.pendingBytes !== '') return { kind: 'data', ...this.takeUnread() };
      if (this.#closedBecause !== undefined) return { kind: 'closed' };
      if (!(await this.#waitForActivity(deadline))) return { kind: 'timeout' };
    }
  }

  takeUnread(): UnreadData {
    return { frames: this.#frames.splice(0), leftover: this.#reader.pendingBytes };
  }

  /**
   * Closes our side, then gives the acceptor up to `graceMs` to close its side, so that it has seen the
   * disconnect before the next action or script; returns whatever arrived unread, during the grace too.
   */
  async close(graceMs: number): Promise<UnreadData> {
    if (!this.#fullyClosed) {
      this.#socket.end();
      const deadline = Date.now() + graceMs;
      while (!this.#fullyClosed && (await this.#waitForActivity(deadline))) {
        // woken by data or by the close; keep waiting for the close
      }
      this.#socket.destroy();
    }
    return this.takeUnread();
  }

  #markClosed(reason: string): void {
    this.#closedBecause ??= reason;
    this.#wake();
  }

  #wake(): void {
    const wake = this.#wakeWaiter;
    this.#wakeWaiter = undefined;
    wake?.();
  }

  /** Resolves true when data or a close arrives, false at the deadline. */
  #waitForActivity(deadline: number): Promise<boolean> {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeWaiter = undefined;
        resolve(false);
      }, remainingMs);
      this.#wakeWaiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}
