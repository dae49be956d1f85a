// Judges a received message against an `E` line of a script, the way QuickFIX's test Comparator does, with one
// deliberate difference: tags the script does not name, and a different order of the named ones, are reported
// as remarks instead of failing (FIX fixes the order only of 8, 9, 35 first, the header before the body, and 10
// last; those are enforced).

import { type FixField, printableFix } from './frames.ts';

export interface FieldPattern {
  source: string;
  /** QuickFIX's Comparator tests with Ruby's `Regexp#===`, an unanchored search: this is that test. */
  search: RegExp;
  whole: RegExp;
}

export type FieldPatterns = ReadonlyMap<number, FieldPattern>;

/** What QuickFIX's test Runner uses when no `fields.fmt` is loaded (test/Runner.rb, `compareAction`). */
export const QUICKFIX_DEFAULT_FIELD_PATTERNS = '10=\\d{1,3}\n52=\\d{8}-\\d{2}:\\d{2}:\\d{2}\n';

/** Parses `fields.fmt`: one `tag=regex` per line; values of those tags only have to match the regex. */
export function parseFieldPatterns(text: string): Map<number, FieldPattern> {
  const patterns = new Map<number, FieldPattern>();
  for (const line of text.split(/\r?\n/)) {
    const equals = line.indexOf('=');
    const tag = line.slice(0, equals);
    if (equals === -1 || !/^[0-9]+$/.test(tag)) continue;
    const source = line.slice(equals + 1);
    patterns.set(Number(tag), { source, search: new RegExp(source), whole: new RegExp(`^(?:${source})$`) });
  }
  return patterns;
}

export interface MessageComparison {
  /** Each one fails the script. */
  mismatches: string[];
  /** Reported as warnings. */
  remarks: string[];
}

/** FIX 4.4 standard header fields; a header field after a body field makes a message invalid. */
const FIX44_HEADER_FIELDS: ReadonlyMap<number, string> = new Map([
  [8, 'BeginString'],
  [9, 'BodyLength'],
  [35, 'MsgType'],
  [49, 'SenderCompID'],
  [56, 'TargetCompID'],
  [115, 'OnBehalfOfCompID'],
  [128, 'DeliverToCompID'],
  [90, 'SecureDataLen'],
  [91, 'SecureData'],
  [34, 'MsgSeqNum'],
  [50, 'SenderSubID'],
  [142, 'SenderLocationID'],
  [57, 'TargetSubID'],
  [143, 'TargetLocationID'],
  [116, 'OnBehalfOfSubID'],
  [144, 'OnBehalfOfLocationID'],
  [129, 'DeliverToSubID'],
  [145, 'DeliverToLocationID'],
  [43, 'PossDupFlag'],
  [97, 'PossResend'],
  [52, 'SendingTime'],
  [122, 'OrigSendingTime'],
  [212, 'XmlDataLen'],
  [213, 'XmlData'],
  [347, 'MessageEncoding'],
  [369, 'LastMsgSeqNumProcessed'],
  [627, 'NoHops'],
  [628, 'HopCompID'],
  [629, 'HopSendingTime'],
  [630, 'HopRefID'],
]);
const FIX44_TRAILER_FIELDS = new Set([93, 89, 10]);

/** BodyLength and CheckSum are checked by the framing, not against the script (which often has placeholders). */
const FRAMING_TAGS = new Set([9, 10]);

function describeTag(tag: number): string {
  const name = FIX44_HEADER_FIELDS.get(tag);
  return name === undefined ? `tag ${tag}` : `tag ${tag} (${name})`;
}

function valuesByTag(fields: readonly FixField[]): Map<number, string[]> {
  const byTag = new Map<number, string[]>();
  for (const [tag, value] of fields) {
    if (FRAMING_TAGS.has(tag)) continue;
    const values = byTag.get(tag);
    if (values === undefined) byTag.set(tag, [value]);
    else values.push(value);
  }
  return byTag;
}

export function compareReceivedMessage(
  expected: readonly FixField[],
  received: readonly FixField[],
  patterns: FieldPatterns,
): MessageComparison {
  const mismatches: string[] = [];
  const remarks: string[] = [];
  const expectedByTag = valuesByTag(expected);
  const receivedByTag = valuesByTag(received);

  for (const [tag, expectedValues] of expectedByTag) {
    const receivedValues = receivedByTag.get(tag) ?? [];
    const pattern = patterns.get(tag);
    expectedValues.forEach((expectedValue, occurrence) => {
      const receivedValue = receivedValues[occurrence];
      if (receivedValue === undefined) {
        mismatches.push(`${describeTag(tag)}: expected '${printableFix(expectedValue)}' but it is missing`);
      } else if (pattern === undefined) {
        if (receivedValue !== expectedValue) {
          mismatches.push(`${describeTag(tag)}: expected '${printableFix(expectedValue)}' but was '${printableFix(receivedValue)}'`);
        }
      } else if (!pattern.search.test(receivedValue)) {
        mismatches.push(`${describeTag(tag)}: '${printableFix(receivedValue)}' does not match the fields.fmt pattern /${pattern.source}/`);
      } else if (!pattern.whole.test(receivedValue)) {
        remarks.push(
          `${describeTag(tag)}: '${printableFix(receivedValue)}' matches the fields.fmt pattern /${pattern.source}/ only in part (accepted, as QuickFIX's Comparator does)`,
        );
      }
    });
    if (receivedValues.length > expectedValues.length) {
      mismatches.push(`${describeTag(tag)} appears ${receivedValues.length} times, the script expects it ${expectedValues.length} time(s)`);
    }
  }

  for (const [tag, receivedValues] of receivedByTag) {
    if (expectedByTag.has(tag)) continue;
    if (receivedValues.length > 1) mismatches.push(`${describeTag(tag)} appears ${receivedValues.length} times`);
    remarks.push(`extra ${describeTag(tag)}=${receivedValues.map(printableFix).join(',')} that the script does not name`);
  }

  mismatches.push(...findHeaderFieldsAfterBody(received));

  const expectedOrder = expected.map(([tag]) => tag).filter((tag) => !FRAMING_TAGS.has(tag));
  const receivedOrder = received.map(([tag]) => tag).filter((tag) => expectedByTag.has(tag));
  if (expectedOrder.join(',') !== receivedOrder.join(',')) {
    remarks.push(`field order differs from the script: expected ${expectedOrder.join(',')}, received ${receivedOrder.join(',')}`);
  }
  return { mismatches, remarks };
}

function findHeaderFieldsAfterBody(received: readonly FixField[]): string[] {
  const problems: string[] = [];
  let firstBodyTag: number | undefined;
  for (const [tag] of received) {
    if (FIX44_TRAILER_FIELDS.has(tag)) continue;
    if (!FIX44_HEADER_FIELDS.has(tag)) firstBodyTag ??= tag;
    else if (firstBodyTag !== undefined) {
      problems.push(`${describeTag(tag)} is a header field but comes after body tag ${firstBodyTag}`);
    }
  }
  return problems;
}
