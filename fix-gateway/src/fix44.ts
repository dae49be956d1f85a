// jspurefix's side of the gateway: the QuickFIX FIX 4.4 dictionary, and typed decoding and
// encoding of application messages. tsyringe (inside jspurefix) needs reflect-metadata first.
import 'reflect-metadata';
import { AsciiEncoder, AsciiParser, AsciiParserState, AsciiSegmentParser } from 'jspurefix/dist/buffer/ascii/index.js';
import { ElasticBuffer } from 'jspurefix/dist/buffer/elastic-buffer.js';
import type { MsgView } from 'jspurefix/dist/buffer/msg-view.js';
import { TagType } from 'jspurefix/dist/buffer/tag/tag-type.js';
import type { IJsFixConfig } from 'jspurefix/dist/config/js-fix-config.js';
import type {
  ContainedComponentField,
  ContainedFieldSet,
  ContainedGroupField,
  ContainedSimpleField,
} from 'jspurefix/dist/dictionary/contained/index.js';
import type { FixDefinitions } from 'jspurefix/dist/dictionary/definition/fix-definitions.js';
import type { IExecutionReport } from 'jspurefix/dist/types/FIX4.4/quickfix/execution_report.js';
import type { INewOrderSingle } from 'jspurefix/dist/types/FIX4.4/quickfix/new_order_single.js';
import type { IOrderCancelReject } from 'jspurefix/dist/types/FIX4.4/quickfix/order_cancel_reject.js';
import type { IOrderCancelReplaceRequest } from 'jspurefix/dist/types/FIX4.4/quickfix/order_cancel_replace_request.js';
import type { IOrderCancelRequest } from 'jspurefix/dist/types/FIX4.4/quickfix/order_cancel_request.js';
import type { IOrderStatusRequest } from 'jspurefix/dist/types/FIX4.4/quickfix/order_status_request.js';
import type { IOrderQtyData } from 'jspurefix/dist/types/FIX4.4/quickfix/set/order_qty_data.js';
import type { IStandardHeader } from 'jspurefix/dist/types/FIX4.4/quickfix/set/standard_header.js';
import { DefinitionFactory } from 'jspurefix/dist/util/definition-factory.js';
import { FixMessageInvalidError } from './errors.ts';
import { SOH } from './session/frames.ts';

// Money never passes through a JS number (README): decimal fields travel as exact strings.
type Decimal = string;
type WithDecimals<T, K extends keyof T> = Omit<T, K> & { [P in K]?: Decimal };
type StandardHeaderless<T> = Omit<T, 'StandardHeader' | 'StandardTrailer'>;

export type OrderQtyData = WithDecimals<IOrderQtyData, 'OrderQty' | 'CashOrderQty' | 'OrderPercent' | 'RoundingModulus'>;

/** FIX 4.4 application messages, typed from the QuickFIX dictionary; prices and quantities are decimal strings. */
export interface Fix44Messages {
  D: WithDecimals<StandardHeaderless<INewOrderSingle>, 'Price' | 'StopPx' | 'MinQty' | 'MaxFloor'> & { OrderQtyData?: OrderQtyData };
  F: StandardHeaderless<IOrderCancelRequest> & { OrderQtyData?: OrderQtyData };
  G: WithDecimals<StandardHeaderless<IOrderCancelReplaceRequest>, 'Price' | 'StopPx' | 'MinQty' | 'MaxFloor'> & {
    OrderQtyData?: OrderQtyData;
  };
  H: StandardHeaderless<IOrderStatusRequest>;
  '8': WithDecimals<
    StandardHeaderless<IExecutionReport>,
    'Price' | 'StopPx' | 'LastQty' | 'LastPx' | 'LeavesQty' | 'CumQty' | 'AvgPx' | 'DayOrderQty' | 'DayCumQty' | 'DayAvgPx' | 'MinQty'
  > & { OrderQtyData?: OrderQtyData };
  '9': StandardHeaderless<IOrderCancelReject>;
}
export type Fix44MsgType = keyof Fix44Messages;
/** Any application message type the dictionary knows; bodies as jspurefix decodes them. */
export type Fix44Body = Record<string, unknown>;
export type { IStandardHeader };

const DECIMAL_TYPES = new Set(['FLOAT', 'PRICE', 'QTY', 'AMT', 'PRICEOFFSET', 'PERCENTAGE']);
const INTEGER_TYPES = new Set(['INT', 'SEQNUM', 'LENGTH', 'NUMINGROUP', 'DAYOFMONTH']);
const PIPE = 0x7c;
const ADMIN_TYPES = new Set(['0', '1', '2', '3', '4', '5', 'A']);

export function isAdminMsgType(msgType: string): boolean {
  return ADMIN_TYPES.has(msgType);
}

/** The dictionary questions the session layer asks, answered from jspurefix's FIX 4.4 definitions. */
export class Fix44Dictionary {
  readonly definitions: FixDefinitions;
  private readonly parserState: AsciiParserState;
  private readonly parser: AsciiParser;
  private readonly parseBuffer: ElasticBuffer;
  private readonly encoder: AsciiEncoder;
  private readonly encodeBuffer: ElasticBuffer;
  private lastDecoded: unknown = null;
  private readonly headerTags: ReadonlySet<number>;
  private readonly headerGroupTags = new Set<number>();
  private readonly repeatableTags = new Map<string, Set<number>>();

  constructor(definitions: FixDefinitions) {
    this.definitions = definitions;
    const header = definitions.component.get('StandardHeader');
    this.headerTags = new Set(Object.keys(header?.containedTag ?? {}).map(Number));
    if (header) collectGroupTags(header, false, this.headerGroupTags);
    // Decimal fields decode as their exact text and encode verbatim from strings.
    for (const simple of definitions.simple.values()) {
      if (DECIMAL_TYPES.has(simple.type)) (simple as { tagType: TagType }).tagType = TagType.String;
    }
    this.parseBuffer = new ElasticBuffer(160 * 1024);
    this.parserState = new AsciiParserState(this.parseBuffer);
    const segmentParser = new AsciiSegmentParser(definitions);
    const parserState = this.parserState;
    // The parser resolves its two collaborators from a tsyringe container; these are all it asks for.
    const container = {
      resolve(type: unknown) {
        if (type === AsciiSegmentParser) return segmentParser;
        if (type === AsciiParserState) return parserState;
        throw new Error('unexpected jspurefix dependency');
      },
    };
    const config = { definitions, delimiter: SOH, logDelimiter: PIPE, sessionContainer: container } as unknown as IJsFixConfig;
    this.parser = new AsciiParser(config, null, this.parseBuffer);
    // The view reads the parse buffer, which is reset once the handler returns: decode inside it.
    this.parser.on('msg', (_msgType: string, view: MsgView) => {
      this.lastDecoded = view.toObject();
    });
    this.encodeBuffer = new ElasticBuffer(16 * 1024);
    this.encoder = new AsciiEncoder(this.encodeBuffer, definitions, undefined, SOH, SOH);
  }

  isDefinedTag(tag: number): boolean {
    return tag > 0 && this.definitions.tagToSimple[tag] !== undefined;
  }

  isDefinedMsgType(msgType: string): boolean {
    return this.definitions.message.has(msgType) && msgType !== '';
  }

  isTagInMessage(msgType: string, tag: number): boolean {
    return this.definitions.message.get(msgType)?.containedTag[tag] === true;
  }

  isHeaderTag(tag: number): boolean {
    return this.headerTags.has(tag);
  }

  isRepeatableTag(msgType: string, tag: number): boolean {
    let tags = this.repeatableTags.get(msgType);
    if (!tags) {
      tags = new Set(this.headerGroupTags);
      const definition = this.definitions.message.get(msgType);
      if (definition) collectGroupTags(definition, false, tags);
      this.repeatableTags.set(msgType, tags);
    }
    return tags.has(tag);
  }

  /** Required fields at the top level of the message (components and groups are the application's concern). */
  requiredTags(msgType: string): number[] {
    const required = this.definitions.message.get(msgType)?.localRequired ?? {};
    return Object.keys(required).map(Number);
  }

  /** Whether the value has the format its field's type demands (SessionRejectReason 6 when not). */
  hasValidFormat(tag: number, value: string): boolean {
    const type = this.definitions.tagToSimple[tag]?.type;
    if (type === undefined) return true;
    if (INTEGER_TYPES.has(type)) return /^-?\d{1,10}$/.test(value);
    if (DECIMAL_TYPES.has(type)) return /^-?(\d+\.?\d*|\.\d+)$/.test(value);
    if (type === 'BOOLEAN') return value === 'Y' || value === 'N';
    if (type === 'CHAR') return value.length === 1;
    if (type === 'UTCTIMESTAMP') return /^\d{8}-\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/.test(value);
    return true;
  }

  /** A well-framed message decoded into jspurefix's typed object (decimals as strings). */
  decode(frame: Buffer): { header: IStandardHeader; body: Fix44Body } {
    this.lastDecoded = null;
    this.parser.reset();
    this.parser.parseBuffer(frame);
    const object = (this.lastDecoded ?? {}) as Fix44Body & { StandardHeader?: IStandardHeader; StandardTrailer?: unknown };
    const { StandardHeader, StandardTrailer: _trailer, ...body } = object;
    return { header: StandardHeader as IStandardHeader, body };
  }

  /** The body of an application message (no header, no trailer) as `tag=value<SOH>` bytes. */
  encodeBody(msgType: string, body: Fix44Body): Buffer {
    const definition = this.definitions.message.get(msgType);
    if (!definition) throw new FixMessageInvalidError(`unknown MsgType ${msgType}`);
    this.encoder.reset();
    this.encoder.encodeSet(body, definition);
    return Buffer.from(this.encoder.trim());
  }
}

/** Every tag inside a repeating group of `set`, through components and nested groups. */
function collectGroupTags(set: ContainedFieldSet, inGroup: boolean, into: Set<number>): void {
  // ContainedFieldType: 0 component, 1 group, 2 simple (a const enum, so not importable here).
  for (const field of set.fields) {
    if (field.type === 2) {
      if (inGroup) into.add((field as ContainedSimpleField).definition.tag);
    } else if (field.type === 1) {
      const group = (field as ContainedGroupField).definition;
      // The NumInGroup tag itself belongs to the enclosing set.
      if (inGroup && group.noOfField) into.add(group.noOfField.tag);
      collectGroupTags(group, true, into);
    } else {
      collectGroupTags((field as ContainedComponentField).definition, inGroup, into);
    }
  }
}

let loading: Promise<Fix44Dictionary> | undefined;

/** The FIX 4.4 dictionary (QuickFIX's FIX44.xml shipped with jspurefix), loaded once per process. */
export function loadFix44Dictionary(): Promise<Fix44Dictionary> {
  loading ??= new DefinitionFactory().getDefinitions('qf44').then((definitions) => new Fix44Dictionary(definitions));
  return loading;
}
