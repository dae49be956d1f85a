import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFields, encodeFrame, FrameReader, redactForLog, tokenise } from '../src/session/frames.ts';
import { buildResend } from '../src/session/machine.ts';

const header = { beginString: 'FIX.4.4', msgType: '0', seq: 2, senderCompId: 'A', targetCompId: 'B', sendingTime: '20260101-00:00:00.000' };

test('frames split across chunks and glued together come out whole', () => {
  const one = encodeFrame(header, Buffer.alloc(0));
  const two = encodeFrame({ ...header, seq: 3 }, encodeFields([[112, 'x']]));
  const reader = new FrameReader();
  const all = Buffer.concat([one, two]);
  const events = [
    ...reader.push(all.subarray(0, 10)),
    ...reader.push(all.subarray(10, one.length + 5)),
    ...reader.push(all.subarray(one.length + 5)),
  ];
  assert.deepEqual(
    events.map((event) => event.kind),
    ['frame', 'frame'],
  );
});

test('a wrong CheckSum or BodyLength is garbled, and the stream resynchronises on the next message', () => {
  const bad = encodeFrame(header, Buffer.alloc(0));
  bad[bad.length - 2] = bad[bad.length - 2] === 0x30 ? 0x31 : 0x30;
  const wrongLength = Buffer.from('8=FIX.4.4\x019=5\x0135=0\x0134=2\x0149=A\x0110=000\x01');
  const good = encodeFrame(header, Buffer.alloc(0));
  const events = new FrameReader().push(Buffer.concat([Buffer.from('noise\x01'), bad, wrongLength, good]));
  assert.deepEqual(
    events.map((event) => (event.kind === 'garbled' ? event.reason : event.kind)),
    ['CheckSum is wrong', 'BodyLength is wrong', 'frame'],
  );
});

test('a declared BodyLength beyond the cap is an overflow', () => {
  const events = new FrameReader({ maxMessageBytes: 1024 }).push(Buffer.from('8=FIX.4.4\x019=5000\x0135=0\x01'));
  assert.equal(events[0]?.kind, 'overflow');
});

test('fields out of order, or a malformed tag, are refused by the tokeniser; data fields may hold SOH', () => {
  assert.equal(tokenise(Buffer.from('8=FIX.4.4\x019=1\x0134=1\x0135=0\x0110=000\x01')).ok, false);
  assert.equal(tokenise(Buffer.from('8=FIX.4.4\x019=1\x0135=0\x01x=1\x0110=000\x01')).ok, false);
  const withData = tokenise(Buffer.from('8=FIX.4.4\x019=1\x0135=A\x0195=3\x0196=a\x01b\x0110=000\x01'));
  assert.ok(withData.ok);
  assert.deepEqual(withData.fields[4], { tag: 96, value: 'a\x01b' });
});

test('passwords are masked in logged messages', () => {
  assert.equal(redactForLog(Buffer.from('35=A\x01553=me\x01554=secret\x01')), '35=A|553=me|554=***|');
});

test('a resend replays application messages as PossDup and fills admin runs with one gap fill', () => {
  const stored = [
    { seq: 1, msgType: 'A', sendingTime: 't1', payload: Buffer.alloc(0) },
    { seq: 2, msgType: '0', sendingTime: 't2', payload: Buffer.alloc(0) },
    { seq: 3, msgType: '8', sendingTime: 't3', payload: Buffer.from('17=x\x01') },
    { seq: 5, msgType: '8', sendingTime: 't5', payload: Buffer.from('17=y\x01') },
  ];
  const frames = buildResend(stored, 1, 6, Date.UTC(2026, 0, 1));
  assert.deepEqual(
    frames.map((frame) => [
      frame.msgType,
      frame.seq,
      frame.origSendingTime === undefined ? null : frame.msgType === '8' ? frame.origSendingTime : 'now',
    ]),
    [
      ['4', 1, 'now'],
      ['8', 3, 't3'],
      ['4', 4, 'now'],
      ['8', 5, 't5'],
      ['4', 6, 'now'],
    ],
  );
  assert.ok(frames.every((frame) => frame.possDup && !frame.persist));
  assert.equal(frames[0]?.payload.toString(), '36=3\x01123=Y\x01');
});

test('a tag with leading zeros is refused by the tokeniser', () => {
  assert.equal(tokenise(Buffer.from('8=FIX.4.4\x019=1\x0135=A\x010554=secret\x0110=000\x01')).ok, false);
  assert.equal(tokenise(Buffer.from('8=FIX.4.4\x019=1\x0135=A\x01-01=x\x0110=000\x01')).ok, false);
  assert.equal(tokenise(Buffer.from('8=FIX.4.4\x019=1\x0135=A\x010=x\x0110=000\x01')).ok, true);
});

test('RawData holding SOH, and tags written with leading zeros, are masked whole', () => {
  const logged = redactForLog(Buffer.from('8=FIX.4.4\x0135=A\x0195=13\x0196=top\x01secret=xy\x0198=0\x010554=hunter2\x0110=000\x01'));
  assert.equal(logged, '8=FIX.4.4|35=A|95=13|96=***|98=0|0554=***|10=000|');
  // A length that does not fit: nothing after it is shown.
  assert.equal(redactForLog(Buffer.from('35=A\x0195=50\x0196=top\x01secret\x01')), '35=A|95=50|96=***');
  assert.equal(redactForLog(Buffer.from('35=A\x0195=3\x0196=top\x01secret\x01')), '35=A|95=3|96=***|secret|');
});
