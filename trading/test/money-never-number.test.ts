import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

// Money never passes through a JS number in engine code. Prices, quantities and amounts are decimal
// strings, decimal.js values or integer bigint ticks/lots. This scan fails on the usual ways a
// number sneaks in, in every engine source file.
const ENGINE_SOURCES = ['trading/src', 'risk/src', 'compliance/src', 'reporting/src'].map((dir) =>
  path.join(import.meta.dirname, '..', '..', dir),
);
const MONEY = '(price|quantity|qty|amount|notional|fee|cost|pnl|balance|cum|leaves|avg|mid|size|volume)';
const FORBIDDEN: [RegExp, string][] = [
  [/\bparseFloat\s*\(/, 'parseFloat'],
  [new RegExp(`\\bNumber(\\.parseFloat)?\\s*\\([^)]*${MONEY}`, 'i'), 'Number(…money…)'],
  [/\.toNumber\s*\(/, 'Decimal#toNumber'],
  [new RegExp(`(^|[=(,:?]|return)\\s*\\+\\s*\\w*${MONEY}\\w*\\s*[;,)]`, 'i'), 'unary + on a money value'],
  [/setTypeParser\s*\(\s*1700/, 'numeric parsed as a JS number'],
  [new RegExp(`${MONEY}\\w*\\s*:\\s*number\\b`, 'i'), 'a money field typed number'],
];

async function* sources(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (entry.name.endsWith('.ts')) yield full;
  }
}

test('no engine source turns a price, quantity or amount into a JS number', async () => {
  const offences: string[] = [];
  let files = 0;
  for (const dir of ENGINE_SOURCES) {
    for await (const file of sources(dir)) {
      files++;
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        // A line may say why a number is not money (a digit count, a time), in a comment that says `not money:`.
        if (/^\s*(\/\/|\*)/.test(line) || line.includes('not money:')) return;
        for (const [pattern, what] of FORBIDDEN) {
          if (pattern.test(line)) offences.push(`${path.relative(process.cwd(), file)}:${index + 1}: ${what}: ${line.trim()}`);
        }
      });
    }
  }
  assert.ok(files > 20, `scanned only ${files} files`);
  assert.deepEqual(offences, []);
});

test('the scan catches what it claims to', () => {
  const samples = [
    'const p = parseFloat(order.price);',
    'const q = Number(fill.quantity);',
    'x.toNumber()',
    'total = +price;',
    'interface X { feeAmount: number }',
  ];
  for (const sample of samples)
    assert.ok(
      FORBIDDEN.some(([pattern]) => pattern.test(sample)),
      sample,
    );
  for (const fine of [
    'const n = Number(options.levels);',
    'const t = Number(process.env.PORT);',
    'price: string;',
    'q = filled + quantity;',
  ]) {
    assert.ok(!FORBIDDEN.some(([pattern]) => pattern.test(fine)), fine);
  }
});
