import type { Field } from './frames.ts';

/** A framed, tokenised inbound message. Header lookups read the first occurrence of a tag. */
export class InboundMessage {
  readonly bytes: Buffer;
  readonly fields: readonly Field[];
  private readonly index = new Map<number, string>();

  constructor(bytes: Buffer, fields: readonly Field[]) {
    this.bytes = bytes;
    this.fields = fields;
    for (const field of fields) if (!this.index.has(field.tag)) this.index.set(field.tag, field.value);
  }

  get(tag: number): string | undefined {
    return this.index.get(tag);
  }

  has(tag: number): boolean {
    return this.index.has(tag);
  }

  get beginString(): string {
    return this.index.get(8) ?? '';
  }

  get msgType(): string {
    return this.index.get(35) ?? '';
  }

  /** MsgSeqNum(34), or null when absent or not a whole number. */
  get seq(): number | null {
    const text = this.index.get(34);
    return text !== undefined && /^\d{1,10}$/.test(text) ? Number(text) : null;
  }

  get possDup(): boolean {
    return this.index.get(43) === 'Y';
  }
}
