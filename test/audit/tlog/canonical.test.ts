import { createHash } from 'node:crypto';
import { BSON, BSONRegExp, Binary, Code, Decimal128, Double, Int32, Long, MinKey, ObjectId, Timestamp, UUID } from 'bson';
import { describe, expect, it } from 'vitest';
import { CanonicalEncodingError, RECORD_DOMAIN, canonicalJson, recordBytes, recordLeafHash } from '../../../src/audit/tlog/canonical';

const ID = '65f0c0ffee0000000000beef';
const AT = '2024-05-01T12:34:56.789Z';

/** An access-log record as the gateway builds it in JS. */
function builtInJs() {
  return {
    _id: ID,
    at: new Date(AT),
    requestId: 'req-1',
    actor: { kind: 'staff', id: 'u-7', roles: ['agent', 'supervisor'] },
    purpose: 'support',
    taskId: null,
    subjectType: 'Customer',
    subjectId: new ObjectId('65f0c0ffee0000000000cafe'),
    fieldsRead: ['email', 'phone'],
    fieldsDenied: [] as string[],
    decision: 'partial',
    reason: undefined,
    attempts: 3,
    bytes: 9_007_199_254_740_991,
    ratio: 0.25,
    digest: Buffer.from('digest bytes'),
    fee: Decimal128.fromString('12.50'),
    nested: [[1, 2], [{ b: true, a: false }]],
  };
}

const EXPECTED_JSON =
  '{"_id":"65f0c0ffee0000000000beef","actor":{"id":"u-7","kind":"staff","roles":["agent","supervisor"]},"at":"2024-05-01T12:34:56.789Z",' +
  '"attempts":3,"bytes":9007199254740991,"decision":"partial","digest":"ZGlnZXN0IGJ5dGVz","fee":"12.50","fieldsDenied":[],' +
  '"fieldsRead":["email","phone"],"nested":[[1,2],[{"a":false,"b":true}]],"purpose":"support","ratio":0.25,"requestId":"req-1",' +
  '"subjectId":"65f0c0ffee0000000000cafe","subjectType":"Customer","taskId":null}';

describe('the canonical record encoding', () => {
  it('is the domain prefix, the kind, a newline, then the JCS text in UTF-8', () => {
    const bytes = recordBytes('accessLog', builtInJs());
    expect(RECORD_DOMAIN).toBe('purpose-gateway/record/v1');
    expect(bytes.toString('utf8')).toBe(`purpose-gateway/record/v1 accessLog\n${EXPECTED_JSON}`);
    const independent = createHash('sha256').update(Buffer.of(0)).update(`purpose-gateway/record/v1 accessLog\n${EXPECTED_JSON}`).digest('hex');
    expect(recordLeafHash('accessLog', builtInJs()).toString('hex')).toBe(independent);
  });

  it('separates kinds: the same record under another kind has other bytes', () => {
    expect(recordLeafHash('consentEvent', { a: 1 }).equals(recordLeafHash('accessLog', { a: 1 }))).toBe(false);
  });

  it('does not depend on member order, at any depth', () => {
    const a = { z: 1, a: { y: [{ q: 1, p: 2 }], x: 'x' }, m: null };
    const b = { m: null, a: { x: 'x', y: [{ p: 2, q: 1 }] }, z: 1 };
    expect(recordBytes('accessLog', a).equals(recordBytes('accessLog', b))).toBe(true);
    expect(canonicalJson(a)).toBe('{"a":{"x":"x","y":[{"p":2,"q":1}]},"m":null,"z":1}');
  });

  it('keeps array order (arrays are sequences, not sets)', () => {
    expect(recordBytes('accessLog', { r: ['a', 'b'] }).equals(recordBytes('accessLog', { r: ['b', 'a'] }))).toBe(false);
  });

  it('gives identical bytes for the record built in JS and read back through BSON with every driver promotion setting', () => {
    const expected = recordBytes('accessLog', builtInJs());
    // What the database holds: the driver casts _id to an ObjectId and stores Long/Int32/Double/Binary.
    const stored = {
      ...builtInJs(),
      _id: new ObjectId(ID),
      attempts: new Int32(3),
      bytes: Long.fromNumber(9_007_199_254_740_991),
      ratio: new Double(0.25),
      digest: new Binary(Buffer.from('digest bytes')),
    };
    delete (stored as { reason?: unknown }).reason; // undefined is not stored
    const wire = BSON.serialize(stored);
    const readings = [
      {},
      { promoteValues: false },
      { promoteLongs: false },
      { useBigInt64: true },
      { promoteBuffers: true },
      { promoteValues: false, promoteBuffers: false, promoteLongs: false },
    ].map((options) => BSON.deserialize(wire, options));
    // The readings really differ in their JS types:
    expect(readings[1]!.attempts).toBeInstanceOf(Int32);
    expect(readings[1]!.ratio).toBeInstanceOf(Double);
    expect(readings[2]!.bytes).toBeInstanceOf(Long);
    expect(typeof readings[3]!.bytes).toBe('bigint');
    expect(readings[0]!.digest).toBeInstanceOf(Binary);
    expect(Buffer.isBuffer(readings[4]!.digest)).toBe(true);
    expect(recordBytes('accessLog', stored).toString()).toBe(expected.toString());
    for (const reading of readings) expect(recordBytes('accessLog', reading).toString()).toBe(expected.toString());
  });

  it('encodes each driver type as documented', () => {
    expect(canonicalJson(new ObjectId(ID.toUpperCase()))).toBe(`"${ID}"`);
    expect(canonicalJson(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('"2024-01-02T03:04:05.006Z"');
    expect(canonicalJson(new Binary(Buffer.from([0, 255]), 4))).toBe('"AP8="');
    const grown = new Binary();
    grown.write(Buffer.from('ab'), 0); // a 256-byte buffer holding 2 bytes
    expect(canonicalJson(grown)).toBe('"YWI="');
    expect(canonicalJson(new UUID('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'))).toBe(`"${Buffer.from('0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'hex').toString('base64')}"`);
    expect(canonicalJson(new Uint8Array([1, 2, 3]))).toBe('"AQID"');
    expect(canonicalJson(Buffer.from('abcdef').subarray(2, 4))).toBe('"Y2Q="');
    expect(canonicalJson(Long.fromString('-9007199254740991'))).toBe('-9007199254740991');
    expect(canonicalJson(new Int32(-7))).toBe('-7');
    expect(canonicalJson(new Double(1e21))).toBe('1e+21');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(12n)).toBe('12');
    expect(canonicalJson(Decimal128.fromString('-0.00'))).toBe('"-0.00"');
    expect(canonicalJson(Object.assign(Object.create(null), { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
    expect(canonicalJson({ s: 'é', t: 'e\u0301' })).toBe('{"s":"é","t":"e\u0301"}'); // no Unicode normalisation
    expect(canonicalJson({ ctl: '\u0000\u001f\u007f' })).toBe('{"ctl":"\\u0000\\u001f\u007f"}');
  });

  it('matches the JCS reference test data (cyberphone/json-canonicalization, by the RFC 8785 authors)', () => {
    const values = '{\n  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],\n  "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}';
    expect(canonicalJson(JSON.parse(values))).toBe('{"escaping":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}');
    const weird = '{\n  "\\u20ac": "Euro Sign",\n  "1": "One",\n  "\\u0080": "Control\\u007f",\n  "\\ud83d\\ude02": "Smiley",\n  "\\u00f6": "Latin Small Letter O With Diaeresis",\n  "\\ufb33": "Hebrew Letter Dalet With Dagesh",\n  "</script>": "Browser Challenge"\n}\n';
    expect(canonicalJson(JSON.parse(weird))).toBe(
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😂":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    const structures = '{\n  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},\n  "10": { },\n  "": "empty",\n  "a": { },\n  "111": [ { } ],\n  "A": { }\n}';
    expect(canonicalJson(JSON.parse(structures))).toBe('{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}');
  });

  it('leaves out undefined members and the members named in omit', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    const record = { a: 1, __v: 0, leafIndex: 5 };
    expect(recordBytes('accessLog', record, { omit: ['__v', 'leafIndex'] }).toString()).toBe('purpose-gateway/record/v1 accessLog\n{"a":1}');
    expect(record).toEqual({ a: 1, __v: 0, leafIndex: 5 });
  });
});

describe('values the encoding refuses, each named by path and rule', () => {
  class Money {
    constructor(readonly cents: number) {}
  }
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { back: cyclic };
  const holey = [1, , 3]; // eslint-disable-line no-sparse-arrays
  let deep: unknown = 'bottom';
  for (let i = 0; i < 101; i++) deep = { d: deep };
  const mongooseLike = Object.assign(Object.create({ save() {} }), { $__: {}, _doc: { a: 1 } });

  it.each([
    ['NaN', { n: NaN }, 'record.n is NaN, and a number must be finite'],
    ['Infinity', { n: [Infinity] }, 'record.n[0] is Infinity'],
    ['a Double NaN', { n: new Double(NaN) }, 'record.n is NaN, and a Double must be finite'],
    ['undefined in an array', { r: ['a', undefined] }, 'record.r[1] is undefined'],
    ['a hole in an array', { r: holey }, 'record.r[1] is a hole in the array'],
    ['a Long beyond 2^53', { n: Long.fromString('9007199254740993') }, 'record.n is a Long outside ±(2^53 − 1)'],
    ['a bigint beyond 2^53', { n: -(2n ** 60n) }, 'record.n is a bigint outside ±(2^53 − 1)'],
    ['a lone surrogate', { s: 'a\uD800' }, 'record.s is a string with a lone surrogate'],
    ['a lone surrogate in a member name', { ['k\uDC00']: 1 }, 'record["k\\udc00"] (the member name) is a string with a lone surrogate'],
    ['an invalid Date', { at: new Date('nope') }, 'record.at is an invalid Date'],
    ['a Map', { m: new Map() }, 'record.m is a Map, not a plain object'],
    ['a Set', { m: new Set([1]) }, 'record.m is a Set'],
    ['a RegExp', { m: /x/ }, 'record.m is a RegExp'],
    ['a class instance', { price: new Money(5) }, 'record.price is a Money, not a plain object'],
    ['a mongoose document', { sub: mongooseLike }, 'record.sub is a mongoose document: encode a lean() result or doc.toObject()'],
    ['a function', { f: () => 1 }, 'record.f is a function'],
    ['a symbol', { s: Symbol('x') }, 'record.s is a symbol'],
    ['an Int16Array', { a: new Int16Array(2) }, 'record.a is a Int16Array; only Uint8Array, Buffer and BSON Binary'],
    ['a BSON Timestamp', { t: new Timestamp({ t: 1, i: 1 }) }, 'record.t is a BSON Timestamp, which records may not hold'],
    ['a BSON MinKey', { t: new MinKey() }, 'record.t is a BSON MinKey'],
    ['a BSON Code', { t: new Code('x') }, 'record.t is a BSON Code'],
    ['a BSONRegExp', { t: new BSONRegExp('x') }, 'record.t is a BSON BSONRegExp'],
    ['a cycle', cyclic, 'record.self.back refers back to an enclosing value'],
    ['nesting deeper than 100', { deep }, 'nests deeper than 100 levels'],
  ])('%s', (_label, record, message) => {
    expect(() => recordBytes('accessLog', record as object)).toThrow(CanonicalEncodingError);
    expect(() => recordBytes('accessLog', record as object)).toThrow(message);
  });

  it('refuses a bad kind and a record that is not a plain object', () => {
    expect(() => recordBytes('access log', {})).toThrow('kind must be a letter then up to 63 letters');
    expect(() => recordBytes('', {})).toThrow('kind must be');
    expect(() => recordBytes('accessLog', [] as unknown as object)).toThrow('record must be a plain object');
    expect(() => recordBytes('accessLog', mongooseLike, { omit: ['__v'] })).toThrow('record is a mongoose document');
    expect(() => canonicalJson(undefined)).toThrow('value is undefined');
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });
});

describe('mongoose', () => {
  it('a hydrated document is refused; its toObject() and the BSON the driver reads give the JS-built bytes', async () => {
    const { default: mongoose, Schema } = await import('mongoose');
    const schema = new Schema(
      {
        at: Date,
        requestId: String,
        actor: { kind: String, id: String, roles: [String] },
        purpose: String,
        taskId: String,
        subjectType: String,
        subjectId: Schema.Types.ObjectId,
        fieldsRead: [String],
        fieldsDenied: [String],
        decision: String,
        attempts: Number,
        bytes: Number,
        ratio: Number,
        digest: Buffer,
        fee: Schema.Types.Decimal128,
        nested: Schema.Types.Mixed,
      },
      { versionKey: false },
    );
    const Model = mongoose.models.TlogCanonical ?? mongoose.model('TlogCanonical', schema);
    // Mongoose casts on the way in: the _id string to an ObjectId, the subjectId string to an ObjectId.
    // (Under vitest, the test's `bson` import is the ESM build and mongoose's is the CJS build: two
    // copies whose instances mongoose does not cast, so the Decimal128 comes from mongoose here.
    // The encoding itself recognises both copies, by their _bsontype tag.)
    const input = { ...builtInJs(), subjectId: '65f0c0ffee0000000000cafe', fee: mongoose.Types.Decimal128.fromString('12.50') };
    expect(recordBytes('accessLog', input).toString()).toBe(recordBytes('accessLog', { ...input, fee: Decimal128.fromString('12.50') }).toString());
    const doc = new Model(input);
    expect(doc._id).toBeInstanceOf(mongoose.Types.ObjectId);
    expect(() => recordBytes('accessLog', doc)).toThrow('record is a mongoose document');
    const expected = recordBytes('accessLog', builtInJs()).toString();
    expect(recordBytes('accessLog', doc.toObject()).toString()).toBe(expected);
    // What lean() returns is the driver's deserialisation of the stored BSON (Binary for Buffer paths).
    const lean = BSON.deserialize(BSON.serialize(doc.toObject({ depopulate: true })));
    expect(lean.digest).toBeInstanceOf(Binary);
    expect(recordBytes('accessLog', lean).toString()).toBe(expected);
  });
});
