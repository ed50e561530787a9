// Types for the kafkajs 2.2.4 internals test/connectors/kafka-record-batch.test.ts decodes with.
declare module 'kafkajs/src/protocol/recordBatch/crc32C/index.js' {
  const crc32c: (b: Buffer) => number;
  export default crc32c;
}

declare module 'kafkajs/src/protocol/decoder.js' {
  export default class Decoder {
    constructor(b: Buffer);
    offset: number;
    readString(): string | null;
    readInt16(): number;
    readInt32(): number;
  }
}

declare module 'kafkajs/src/protocol/recordBatch/v0/decoder.js' {
  const decodeBatch: (d: unknown) => Promise<unknown>;
  export default decodeBatch;
}
