import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FixFrameReader, prepareOutgoingMessage } from '../src/acceptance/frames.ts';
import { type AcceptanceTarget, formatAcceptanceReport, runAcceptanceScript, runAcceptanceSuite } from '../src/acceptance/runner.ts';
import { parseAcceptanceScript, readAcceptanceScript, ScriptSyntaxError } from '../src/acceptance/script.ts';

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/fix44-acceptance');
const SOH = '\x01';
// Short, so the tests that wait for something that never comes finish quickly.
const SHORT_TIMEOUT = { expectTimeoutMs: 300 };

/** Scripts and frames are written with `|` for SOH to stay readable. */
const soh = (text: string) => text.replaceAll('|', SOH);

// Framing for the fake acceptors, written independently of the runner's own so they can check each other.
function checksumOf(bytes: string): string {
  let sum = 0;
  for (const char of bytes) sum += char.charCodeAt(0);
  return String(sum % 256).padStart(3, '0');
}

function frame(body: string, wrong: { bodyLength?: number; checksum?: string } = {}): string {
  const fields = soh(body);
  const head = `8=FIX.4.4${SOH}9=${wrong.bodyLength ?? fields.length}${SOH}`;
  return `${head}${fields}10=${wrong.checksum ?? checksumOf(head + fields)}${SOH}`;
}

function sendingTime(): string {
  const iso = new Date().toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 23)}`;
}

function fieldValue(message: string, tag: number): string | undefined {
  const field = message.split(SOH).find((part) => part.startsWith(`${tag}=`));
  return field?.slice(String(tag).length + 1);
}

/** A connection accepted by a fake acceptor: every byte it received, and how to answer. */
interface FakePeer {
  received: string;
  send(bytes: string): void;
  end(): void;
}

type Behaviour = (peer: FakePeer, message: string) => void;

interface FakeAcceptor {
  target: AcceptanceTarget;
  peers: FakePeer[];
  resets: number;
}

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Splits off the complete messages at the start of a stream: each ends with an SOH-delimited 10= field. */
function takeMessages(stream: string): { messages: string[]; rest: string } {
  const messages: string[] = [];
  let rest = stream;
  for (let trailer = rest.indexOf(`${SOH}10=`); trailer !== -1; trailer = rest.indexOf(`${SOH}10=`)) {
    const end = rest.indexOf(SOH, trailer + 1);
    if (end === -1) break;
    messages.push(rest.slice(0, end + 1));
    rest = rest.slice(end + 1);
  }
  return { messages, rest };
}

/** `newBehaviour` is called again at each resetSession, so that stateful acceptors start each script afresh. */
async function startFakeAcceptor(newBehaviour: () => Behaviour): Promise<FakeAcceptor> {
  let behaviour = newBehaviour();
  const peers: FakePeer[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let unsplit = '';
    const peer: FakePeer = {
      received: '',
      send: (bytes) => socket.write(Buffer.from(bytes, 'latin1')),
      end: () => socket.end(),
    };
    peers.push(peer);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      peer.received += text;
      unsplit += text;
      const { messages, rest } = takeMessages(unsplit);
      unsplit = rest;
      for (const message of messages) behaviour(peer, message);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const acceptor: FakeAcceptor = {
    peers,
    resets: 0,
    target: {
      host: '127.0.0.1',
      port: (server.address() as net.AddressInfo).port,
      resetSession: async () => {
        acceptor.resets += 1;
        behaviour = newBehaviour();
      },
    },
  };
  return acceptor;
}

/** Answers like a correct FIX 4.4 acceptor for the session ISLD/TW44, one logged-on connection at a time. */
function correctAcceptor(): Behaviour {
  let loggedOnPeer: FakePeer | undefined;
  const outgoingSeq = new Map<FakePeer, number>();
  const header = (peer: FakePeer, msgType: string) => {
    const seq = (outgoingSeq.get(peer) ?? 0) + 1;
    outgoingSeq.set(peer, seq);
    return `35=${msgType}|34=${seq}|49=ISLD|52=${sendingTime()}|56=TW44|`;
  };
  return (peer, message) => {
    const msgType = fieldValue(message, 35);
    if (msgType === 'A') {
      if (loggedOnPeer !== undefined && loggedOnPeer !== peer) return peer.end();
      loggedOnPeer = peer;
      peer.send(frame(`${header(peer, 'A')}98=0|108=${fieldValue(message, 108)}|`));
    } else if (msgType === '1') {
      peer.send(frame(`${header(peer, '0')}112=${fieldValue(message, 112)}|`));
    } else if (msgType === '5') {
      peer.send(frame(header(peer, '5')));
      peer.end();
      loggedOnPeer = undefined;
    }
  };
}

let scriptDir: string;
before(async () => {
  scriptDir = await mkdtemp(path.join(tmpdir(), 'acceptance-runner-'));
  await copyFile(path.join(FIXTURES, 'fields.fmt'), path.join(scriptDir, 'fields.fmt'));
});
after(() => rm(scriptDir, { recursive: true, force: true }));

async function writeScript(name: string, lines: string[]): Promise<string> {
  const file = path.join(scriptDir, name);
  await writeFile(file, soh(lines.join('\n')), 'latin1');
  return file;
}

const LOGON = 'I8=FIX.4.4|35=A|34=1|49=TW44|52=<TIME>|56=ISLD|98=0|108=30|';
const LOGON_REPLY = 'E8=FIX.4.4|9=63|35=A|34=1|49=ISLD|52=00000000-00:00:00.000|56=TW44|98=0|108=30|10=0|';
const LOGOUT = 'I8=FIX.4.4|35=5|34=2|49=TW44|52=<TIME>|56=ISLD|';
const LOGOUT_REPLY = 'E8=FIX.4.4|9=51|35=5|34=2|49=ISLD|52=00000000-00:00:00.000|56=TW44|10=0|';
const LOGON_LOGOUT = ['# logon, then logout', 'iCONNECT', LOGON, LOGON_REPLY, '', LOGOUT, LOGOUT_REPLY, 'eDISCONNECT'];

describe('acceptance runner against fake acceptors', () => {
  test('passes a correct logon and logout exchange, after resetting the session', async () => {
    const acceptor = await startFakeAcceptor(correctAcceptor);
    const result = await runAcceptanceScript(await writeScript('correct.def', LOGON_LOGOUT), acceptor.target, SHORT_TIMEOUT);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.passed, true);
    assert.equal(result.script, 'correct.def');
    assert.equal(acceptor.resets, 1);
  });

  test('fails on wrong tag values, naming the line, every differing tag and both values', async () => {
    const acceptor = await startFakeAcceptor(() => (peer, message) => {
      if (fieldValue(message, 35) === 'A') peer.send(frame(`35=A|34=7|49=ISLD|52=${sendingTime()}|56=TW44|98=0|108=60|`));
    });
    const result = await runAcceptanceScript(await writeScript('wrong-value.def', LOGON_LOGOUT), acceptor.target, SHORT_TIMEOUT);
    assert.equal(result.passed, false);
    assert.equal(result.failures.length, 1);
    const [failure] = result.failures;
    assert.match(failure ?? '', /^line 4 \[E1\]/);
    assert.match(failure ?? '', /tag 34 \(MsgSeqNum\): expected '1' but was '7'/);
    assert.match(failure ?? '', /tag 108: expected '30' but was '60'/);
  });

  test('fails when a time field does not match its fields.fmt pattern', async () => {
    const acceptor = await startFakeAcceptor(() => (peer, message) => {
      if (fieldValue(message, 35) === 'A') peer.send(frame('35=A|34=1|49=ISLD|52=yesterday|56=TW44|98=0|108=30|'));
    });
    const result = await runAcceptanceScript(await writeScript('bad-time.def', LOGON_LOGOUT), acceptor.target, SHORT_TIMEOUT);
    assert.equal(result.passed, false);
    assert.match(result.failures[0] ?? '', /tag 52 \(SendingTime\): 'yesterday' does not match the fields.fmt pattern/);
  });

  test('fails on a received frame with a wrong CheckSum even when every field matches', async () => {
    const acceptor = await startFakeAcceptor(() => (peer, message) => {
      if (fieldValue(message, 35) !== 'A') return;
      const good = frame(`35=A|34=1|49=ISLD|52=${sendingTime()}|56=TW44|98=0|108=30|`);
      const goodChecksum = fieldValue(good, 10) ?? '';
      peer.send(good.replace(`10=${goodChecksum}`, `10=${goodChecksum === '000' ? '001' : '000'}`));
    });
    const result = await runAcceptanceScript(await writeScript('bad-checksum.def', LOGON_LOGOUT), acceptor.target, SHORT_TIMEOUT);
    assert.equal(result.passed, false);
    assert.match(result.failures[0] ?? '', /^line 4 \[E1\]: CheckSum 10=00[01] is wrong: computed \d{3}/);
  });

  test('fails on a received frame with a wrong BodyLength, too long or too short', async () => {
    for (const skew of [3, -3]) {
      const acceptor = await startFakeAcceptor(() => (peer, message) => {
        if (fieldValue(message, 35) !== 'A') return;
        const body = `35=A|34=1|49=ISLD|52=${sendingTime()}|56=TW44|98=0|108=30|`;
        peer.send(frame(body, { bodyLength: soh(body).length + skew }));
      });
      const result = await runAcceptanceScript(await writeScript('bad-length.def', LOGON_LOGOUT), acceptor.target, SHORT_TIMEOUT);
      assert.equal(result.passed, false, `BodyLength off by ${skew}`);
      assert.match(result.failures[0] ?? '', /^line 4 \[E1\]: BodyLength 9=\d+ is wrong: the body between 9= and 10= is \d+ bytes/);
    }
  });

  test('fails within the configured timeout when an expected message never arrives', async () => {
    const acceptor = await startFakeAcceptor(() => () => {});
    const result = await runAcceptanceScript(await writeScript('silent.def', LOGON_LOGOUT), acceptor.target, SHORT_TIMEOUT);
    assert.equal(result.passed, false);
    assert.equal(result.failures.length, 1);
    assert.match(result.failures[0] ?? '', /^line 4 \[E1\]: no message within 300 ms; expected 8=FIX.4.4\|9=63\|35=A\|/);
  });

  test('fails when the acceptor closes instead of sending the expected message', async () => {
    const acceptor = await startFakeAcceptor(() => (peer) => peer.end());
    const result = await runAcceptanceScript(await writeScript('closes.def', LOGON_LOGOUT), acceptor.target, SHORT_TIMEOUT);
    assert.equal(result.passed, false);
    assert.match(result.failures[0] ?? '', /^line 4 \[E1\]: the acceptor closed the connection instead of sending 8=FIX.4.4/);
  });

  test('fails when eDISCONNECT is expected but the acceptor sends a message instead', async () => {
    const acceptor = await startFakeAcceptor(correctAcceptor);
    const script = await writeScript('should-disconnect.def', ['iCONNECT', LOGON, 'eDISCONNECT']);
    const result = await runAcceptanceScript(script, acceptor.target, SHORT_TIMEOUT);
    assert.equal(result.passed, false);
    assert.match(
      result.failures[0] ?? '',
      /^line 3 \[e1,DISCONNECT\]: expected the acceptor to close connection 1 without sending more, but it sent 8=FIX.4.4\|9=\d+\|35=A\|/,
    );
  });

  test('fails when eDISCONNECT is expected but the acceptor keeps the connection open', async () => {
    const acceptor = await startFakeAcceptor(() => () => {});
    const result = await runAcceptanceScript(
      await writeScript('stays-open.def', ['iCONNECT', LOGON, 'eDISCONNECT']),
      acceptor.target,
      SHORT_TIMEOUT,
    );
    assert.equal(result.passed, false);
    assert.match(result.failures[0] ?? '', /^line 3 \[e1,DISCONNECT\]: the acceptor did not close connection 1 within 300 ms/);
  });

  test('passes an eDISCONNECT when the acceptor closes without a word', async () => {
    const acceptor = await startFakeAcceptor(() => (peer) => peer.end());
    const result = await runAcceptanceScript(
      await writeScript('rejected.def', ['iCONNECT', LOGON, 'eDISCONNECT']),
      acceptor.target,
      SHORT_TIMEOUT,
    );
    assert.deepEqual(result.failures, []);
  });

  test('runs two connections: a second logon for the same session is dropped while the first goes on', async () => {
    const lines = [
      'i1,CONNECT',
      `I1,${LOGON.slice(1)}`,
      `E1,${LOGON_REPLY.slice(1)}`,
      'i2,CONNECT',
      `I2,${LOGON.slice(1)}`,
      'e2,DISCONNECT',
      `I1,${LOGOUT.slice(1)}`,
      `E1,${LOGOUT_REPLY.slice(1)}`,
      'e1,DISCONNECT',
    ];
    const correct = await startFakeAcceptor(correctAcceptor);
    const passed = await runAcceptanceScript(await writeScript('two-connections.def', lines), correct.target, SHORT_TIMEOUT);
    assert.deepEqual(passed.failures, []);
    assert.equal(correct.peers.length, 2);
    assert.equal(fieldValue(correct.peers[1]?.received ?? '', 35), 'A');
    assert.ok(correct.peers[0]?.received.includes(`${SOH}35=5${SOH}`), 'the logout went over connection 1');

    const acceptsTwice = await startFakeAcceptor(() => (peer, message) => {
      if (fieldValue(message, 35) === 'A') peer.send(frame(`35=A|34=1|49=ISLD|52=${sendingTime()}|56=TW44|98=0|108=30|`));
    });
    const failed = await runAcceptanceScript(await writeScript('two-connections.def', lines), acceptsTwice.target, SHORT_TIMEOUT);
    assert.equal(failed.passed, false);
    assert.match(failed.failures[0] ?? '', /^line 6 \[e2,DISCONNECT\]: expected the acceptor to close connection 2 without sending more/);
  });

  test('substitutes <TIME>, <TIME-n> and <TIME+n> with UTC timestamps', async () => {
    const acceptor = await startFakeAcceptor(() => (peer) => peer.end());
    const script = await writeScript('time.def', [
      'iCONNECT',
      'I8=FIX.4.4|35=0|34=2|49=TW44|52=<TIME>|56=ISLD|122=<TIME-1>|60=<TIME+2>|',
      'eDISCONNECT',
    ]);
    const result = await runAcceptanceScript(script, acceptor.target, SHORT_TIMEOUT);
    assert.deepEqual(result.failures, []);
    const sent = acceptor.peers[0]?.received ?? '';
    assert.doesNotMatch(sent, /<TIME/);
    const timestamp = /^(\d{4})(\d{2})(\d{2})-(\d{2}:\d{2}:\d{2}\.\d{3})$/;
    const toMs = (value: string | undefined) => {
      const parts = timestamp.exec(value ?? '');
      assert.ok(parts, `'${value}' is a UTCTimestamp`);
      return Date.parse(`${parts[1]}-${parts[2]}-${parts[3]}T${parts[4]}Z`);
    };
    const now = toMs(fieldValue(sent, 52));
    assert.equal(toMs(fieldValue(sent, 122)), now - 1000);
    assert.equal(toMs(fieldValue(sent, 60)), now + 2000);
    assert.ok(Math.abs(now - Date.now()) < 60_000, 'SendingTime is the current time');
  });

  test('sends given wrong BodyLength and CheckSum verbatim, and computes only the missing ones', async () => {
    const given = '8=FIX.4.4|9=40|35=A|34=1|49=TW44|52=20240101-00:00:00.000|56=ISLD|98=0|108=30|10=123|';
    const onlyLength = '8=FIX.4.4|9=5|35=0|34=2|49=TW44|56=ISLD|';
    const outOfOrder = '35=0|8=FIX.4.4|9=29|34=2|10=121|';
    const neither = '8=FIX.4.4|34=3|35=0|49=TW44|56=ISLD|';
    const neitherWithLength = soh(`8=FIX.4.4|9=26|34=3|35=0|49=TW44|56=ISLD|`);
    const expectedBytes = [
      soh(given),
      `${soh(onlyLength)}10=${checksumOf(soh(onlyLength))}${SOH}`,
      soh(outOfOrder),
      `${neitherWithLength}10=${checksumOf(neitherWithLength)}${SOH}`,
    ].join('');
    const acceptor = await startFakeAcceptor(() => (peer) => {
      if (peer.received.length >= expectedBytes.length) peer.end();
    });
    const script = await writeScript('verbatim.def', [
      'iCONNECT',
      ...[given, onlyLength, outOfOrder, neither].map((message) => `I${message}`),
      'eDISCONNECT',
    ]);
    const result = await runAcceptanceScript(script, acceptor.target, SHORT_TIMEOUT);
    assert.deepEqual(result.failures, []);
    assert.equal(acceptor.peers[0]?.received, expectedBytes);
  });

  test('warns about tags the script does not name without failing', async () => {
    const acceptor = await startFakeAcceptor(() => (peer, message) => {
      const msgType = fieldValue(message, 35);
      if (msgType === 'A') peer.send(frame(`35=A|34=1|49=ISLD|52=${sendingTime()}|56=TW44|98=0|108=30|1137=9|`));
      if (msgType === '5') {
        peer.send(frame(`35=5|34=2|49=ISLD|52=${sendingTime()}|56=TW44|`));
        peer.end();
      }
    });
    const result = await runAcceptanceScript(await writeScript('extra-tag.def', LOGON_LOGOUT), acceptor.target, SHORT_TIMEOUT);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.warnings, ['line 4 [E1]: extra tag 1137=9 that the script does not name']);
  });

  test('fails on a malformed frame even when the script never reads it', async () => {
    const acceptor = await startFakeAcceptor(() => (peer, message) => {
      if (fieldValue(message, 35) === 'A')
        peer.send(frame(`35=A|34=1|49=ISLD|52=${sendingTime()}|56=TW44|98=0|108=30|`, { checksum: '999' }));
    });
    const result = await runAcceptanceScript(
      await writeScript('unread.def', ['iCONNECT', LOGON, 'iDISCONNECT']),
      acceptor.target,
      SHORT_TIMEOUT,
    );
    assert.equal(result.passed, false);
    assert.match(
      result.failures[0] ?? '',
      /^connection 1: malformed frame received, unread at line 3 \[i1,DISCONNECT\]: .*CheckSum 10=999 is wrong/,
    );
  });

  test('reports a script syntax error with its line number', async () => {
    const acceptor = await startFakeAcceptor(() => () => {});
    const result = await runAcceptanceScript(await writeScript('syntax.def', ['iCONNECT', 'iCONECT']), acceptor.target, SHORT_TIMEOUT);
    assert.equal(result.passed, false);
    assert.match(result.failures[0] ?? '', /syntax\.def: line 2: expected CONNECT or DISCONNECT after 'i'/);
  });

  test('runs a suite in file-name order, filtered by `only`, and formats a report with totals', async () => {
    const suiteDir = await mkdtemp(path.join(tmpdir(), 'acceptance-suite-'));
    after(() => rm(suiteDir, { recursive: true, force: true }));
    await copyFile(path.join(FIXTURES, 'fields.fmt'), path.join(suiteDir, 'fields.fmt'));
    await writeFile(path.join(suiteDir, 'b_logon.def'), soh(LOGON_LOGOUT.join('\n')), 'latin1');
    const wrongSeqNum = LOGON_LOGOUT.map((line) => (line === LOGON_REPLY ? line.replace('|34=1|', '|34=2|') : line));
    await writeFile(path.join(suiteDir, 'a_logon_wrong.def'), soh(wrongSeqNum.join('\n')), 'latin1');
    await writeFile(path.join(suiteDir, 'c_skipped.def'), 'garbage', 'latin1');
    const acceptor = await startFakeAcceptor(correctAcceptor);
    const progress: string[] = [];
    const results = await runAcceptanceSuite(suiteDir, acceptor.target, {
      ...SHORT_TIMEOUT,
      only: /logon/,
      onProgress: (line) => progress.push(line),
    });
    assert.deepEqual(
      results.map((result) => [result.script, result.passed]),
      [
        ['a_logon_wrong.def', false],
        ['b_logon.def', true],
      ],
    );
    assert.equal(acceptor.resets, 2);
    assert.ok(progress.some((line) => line.startsWith('b_logon.def:4 E1 < 8=FIX.4.4|')));

    const report = formatAcceptanceReport(results).split('\n');
    assert.equal(report.length, 3);
    assert.match(
      report[0] ?? '',
      /^FAIL {2}a_logon_wrong\.def {2}\(\d+\.\d s\) {2}line 4 \[E1\]: tag 34 \(MsgSeqNum\): expected '2' but was '1'/,
    );
    assert.match(report[1] ?? '', /^PASS {2}b_logon\.def {8}\(\d+\.\d s\)$/);
    assert.equal(report[2], '2 scripts: 1 passed, 1 failed, 0 warning(s)');
  });
});

describe('the real scripts against a correct fake acceptor', () => {
  test('pass the logon, logout and duplicate-identity scripts', async () => {
    const acceptor = await startFakeAcceptor(correctAcceptor);
    const only = /^(1a_ValidLogonWithCorrectMsgSeqNum|13b_UnsolicitedLogoutMessage|1b_DuplicateIdentity|AlreadyLoggedOn)\.def$/;
    const results = await runAcceptanceSuite(FIXTURES, acceptor.target, { ...SHORT_TIMEOUT, only });
    assert.equal(results.length, 4);
    for (const result of results) {
      assert.deepEqual(result.failures, [], result.script);
      assert.deepEqual(result.warnings, [], result.script);
    }
  });
});

describe('acceptance framing', () => {
  test('adds BodyLength and CheckSum like QuickFIX does', () => {
    assert.equal(prepareOutgoingMessage(soh('8=FIX.4.2|35=A|108=30|')), soh('8=FIX.4.2|9=12|35=A|108=30|10=026|'));
  });

  test('cuts frames delivered byte by byte and resynchronises after a bad one', () => {
    const good = frame('35=0|34=2|49=ISLD|56=TW44|');
    const stream = `${good}${frame('35=0|34=3|49=ISLD|56=TW44|', { bodyLength: 99 })}junk${good}`;
    const reader = new FixFrameReader();
    const frames = [...stream].flatMap((byte) => reader.push(byte));
    assert.deepEqual(
      frames.map((received) => received.framingErrors.length),
      [0, 1, 1, 0],
    );
    assert.deepEqual(frames[0]?.fields, [
      [8, 'FIX.4.4'],
      [9, '26'],
      [35, '0'],
      [34, '2'],
      [49, 'ISLD'],
      [56, 'TW44'],
      [10, checksumOf(good.slice(0, good.indexOf(`${SOH}10=`) + 1))],
    ]);
    assert.equal(reader.pendingBytes, '');
  });
});

describe('the FIX 4.4 acceptance scripts', () => {
  test('every script parses', async () => {
    const scripts = (await readdir(FIXTURES)).filter((name) => name.endsWith('.def'));
    assert.ok(scripts.length > 0);
    for (const name of scripts) {
      const actions = await readAcceptanceScript(path.join(FIXTURES, name));
      assert.equal(actions[0]?.kind, 'connect', name);
      for (const action of actions) {
        if (action.kind === 'expect')
          assert.ok(
            action.fields.some(([tag]) => tag === 35),
            `${name}:${action.line} names a MsgType`,
          );
      }
      const connections = new Set(actions.map((action) => action.connection));
      const twoConnections = name === '1b_DuplicateIdentity.def' || name === 'AlreadyLoggedOn.def';
      assert.deepEqual([...connections].sort(), twoConnections ? [1, 2] : [1], name);
    }
  });

  test('a script error names its line', () => {
    assert.throws(
      () => parseAcceptanceScript('iCONNECT\n\n# comment\nX8=FIX.4.4|'),
      (error: unknown) => {
        assert.ok(error instanceof ScriptSyntaxError);
        assert.equal(error.line, 4);
        return true;
      },
    );
  });
});
