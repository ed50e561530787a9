// Option checks of kafka and upsert-kafka (what the compiler reports), and how properties.* map onto the Node
// client. No broker needed.
import { describe, expect, it } from 'vitest';
import { kafka } from '../../runtime/connectors/kafka/connector.js';
import { parseSpecificOffsets, readLayout } from '../../runtime/connectors/kafka/options.js';
import { readKafkaSettings } from '../../runtime/connectors/kafka/properties.js';
import { createRecordDecoder, createRecordEncoder } from '../../runtime/connectors/kafka/records.js';
import { findConnector } from '../../runtime/connectors/registry.js';
import type { TableInfo } from '../../runtime/core/connector.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { validateOptions } from '../../runtime/core/options.js';
import { field, TX_FIELDS } from './helpers.js';

const BASE = { connector: 'kafka', topic: 'transactions', 'properties.bootstrap.servers': 'kafka:9092', format: 'csv' };

function problems(options: Record<string, string>, role: 'source' | 'sink' = 'source', primaryKey: string[] = [], declared = TX_FIELDS) {
  const c = findConnector(options.connector)!;
  const table: TableInfo = { table: 't', declared, primaryKey, options };
  return [...validateOptions(c.options, options), ...(c.validate?.(table, role) ?? [])];
}

describe('kafka options', () => {
  it("accepts the table walkthrough's and the pyflink walkthrough's DDL", () => {
    expect(problems({ ...BASE, 'scan.startup.mode': 'earliest-offset' })).toEqual([]);
    const payments = [field('createTime', DataTypes.STRING()), field('orderId', DataTypes.BIGINT()), field('payAmount', DataTypes.DOUBLE()), field('payPlatform', DataTypes.INT()), field('provinceId', DataTypes.INT())];
    expect(problems({ ...BASE, topic: 'payment_msg', format: 'json', 'properties.group.id': 'test_3', 'scan.startup.mode': 'latest-offset' }, 'source', [], payments)).toEqual([]);
  });

  it('names the option and the allowed values', () => {
    const [p] = problems({ ...BASE, 'scan.startup.mode': 'earliest' });
    expect(p.option).toBe('scan.startup.mode');
    expect(p.hint).toBe('allowed values: earliest-offset, latest-offset, group-offsets, timestamp, specific-offsets');
    expect(problems({ ...BASE, 'sink.delivery-guarantee': 'exactly_once' }, 'sink')[0].hint).toContain('at-least-once, exactly-once, none');
    expect(problems({ ...BASE, 'scan.startup.mod': 'earliest-offset' })[0].hint).toBe("did you mean 'scan.startup.mode'?");
  });

  it('checks options that go together', () => {
    const messages = (o: Record<string, string>, role: 'source' | 'sink' = 'source') => problems(o, role).map((p) => p.message);
    expect(messages({ ...BASE, 'scan.startup.mode': 'timestamp' })).toEqual(["'scan.startup.mode' = 'timestamp' needs 'scan.startup.timestamp-millis'"]);
    expect(messages({ ...BASE, 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0;offset:1' })[0]).toContain("must look like 'partition:0,offset:42");
    expect(messages({ ...BASE, 'scan.startup.mode': 'group-offsets' })).toEqual(["'scan.startup.mode' = 'group-offsets' needs 'properties.group.id'"]);
    expect(messages({ ...BASE, 'sink.delivery-guarantee': 'exactly-once' }, 'sink')).toEqual(["'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'"]);
    expect(messages({ ...BASE, topic: 'a;b' }, 'sink')).toEqual(["a sink writes one topic, but 'topic' lists 2"]);
    const { format: _f, ...noFormat } = BASE;
    expect(messages(noFormat)).toEqual(["missing required option 'format' (or 'value.format')"]);
    expect(messages({ ...BASE, 'value.format': 'json' })).toEqual(["set either 'format' or 'value.format', not both"]);
  });

  it('checks key.fields against the columns and key.format', () => {
    expect(problems({ ...BASE, 'key.format': 'json', 'key.fields': 'account' })[0]).toMatchObject({
      option: 'key.fields', message: "key.fields names 'account', which is not a column of the table", hint: 'columns: account_id, amount, transaction_time',
    });
    expect(problems({ ...BASE, 'key.fields': 'account_id' })[0].message).toBe("'key.fields' needs 'key.format'");
    expect(problems({ ...BASE, 'key.format': 'csv' })[0].message).toBe("'key.format' needs 'key.fields' naming the key columns");
    expect(problems({ ...BASE, 'key.format': 'csv', 'key.fields': 'account_id', 'value.fields-include': 'EXCEPT_KEY' })).toEqual([]);
  });

  it('checks that format options belong to the format', () => {
    expect(problems({ ...BASE, 'json.ignore-parse-errors': 'true' })[0].message).toBe("option 'json.ignore-parse-errors' belongs to format 'json', but the format is 'csv'");
    const { format: _f, ...valueFormat } = BASE;
    expect(problems({ ...valueFormat, 'value.format': 'json', 'value.csv.field-delimiter': ';' })[0].option).toBe('value.csv.field-delimiter');
    expect(problems({ ...valueFormat, 'value.format': 'json', 'value.json.fail-on-missing-field': 'true' })).toEqual([]);
    expect(problems({ ...BASE, 'key.format': 'json', 'key.fields': 'account_id', 'key.csv.field-delimiter': ';' })[0].option).toBe('key.csv.field-delimiter');
  });

  it('checks the values of properties the Node client reads', () => {
    expect(problems({ ...BASE, 'properties.isolation.level': 'serializable' })[0].message).toContain('must be one of read_committed, read_uncommitted');
    expect(problems({ ...BASE, 'properties.session.timeout.ms': '10s' })[0].option).toBe('properties.session.timeout.ms');
    expect(problems({ ...BASE, 'properties.key.deserializer': 'org.apache.kafka.common.serialization.ByteArrayDeserializer' })).toEqual([]);
  });
});

describe('upsert-kafka options', () => {
  const UPSERT = { connector: 'upsert-kafka', topic: 't', 'properties.bootstrap.servers': 'kafka:9092', 'key.format': 'json', 'value.format': 'json' };

  it('needs a primary key', () => {
    expect(problems(UPSERT, 'sink')).toEqual([expect.objectContaining({ option: 'PRIMARY KEY', message: expect.stringContaining('needs a primary key') })]);
    expect(problems(UPSERT, 'sink', ['account_id'])).toEqual([]);
  });

  it("rejects kafka-only options and checks sink.buffer-flush.*", () => {
    expect(problems({ ...UPSERT, 'key.fields': 'account_id' }, 'sink', ['account_id'])[0].message).toBe("unsupported option 'key.fields'");
    expect(problems({ ...UPSERT, 'sink.buffer-flush.max-rows': '100' }, 'sink', ['account_id'])[0].option).toBe('sink.buffer-flush.interval');
    expect(problems({ ...UPSERT, 'sink.buffer-flush.max-rows': '100', 'sink.buffer-flush.interval': '1s' }, 'sink', ['account_id'])).toEqual([]);
  });

  it('accepts upserts; kafka takes inserts only', () => {
    expect(findConnector('upsert-kafka')!.sinkAccepts).toBe('upsert');
    expect(kafka.sinkAccepts).toBe('insert-only');
  });
});

describe('record layout and properties', () => {
  it('merges unprefixed and value.-prefixed format options', () => {
    const layout = readLayout({ options: { ...BASE, 'csv.field-delimiter': '|', 'key.format': 'json', 'key.fields': 'account_id;amount', 'key.json.fail-on-missing-field': 'true' }, primaryKey: [] }, false);
    expect(layout).toMatchObject({
      valueFormat: 'csv', keyFormat: 'json', keyColumns: ['account_id', 'amount'], valueIncludesKey: true,
      valueOptions: { 'csv.field-delimiter': '|' }, keyOptions: { 'json.fail-on-missing-field': 'true' },
    });
  });

  it('parses specific offsets', () => {
    expect(parseSpecificOffsets('partition:0,offset:42;partition:1,offset:300')).toEqual(new Map([[0, 42], [1, 300]]));
    expect(parseSpecificOffsets('partition:0')).toBeNull();
  });

  it('maps Java client properties to the Node client and lists the ignored ones', () => {
    const s = readKafkaSettings({
      'properties.bootstrap.servers': 'a:9092, PLAINTEXT://b:9092',
      'properties.group.id': 'g',
      'properties.isolation.level': 'read_uncommitted',
      'properties.max.partition.fetch.bytes': '65536',
      'properties.security.protocol': 'SASL_SSL',
      'properties.sasl.mechanism': 'SCRAM-SHA-512',
      'properties.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
      'properties.transaction.timeout.ms': '60000',
      'properties.compression.type': 'lz4',
      'properties.partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RoundRobinAssignor',
    }, 't');
    expect(s.client).toMatchObject({ brokers: ['a:9092', 'b:9092'], security: 'SASL_SSL', saslMechanism: 'scram-sha-512', saslCredentials: { username: 'u', password: 'p' } });
    expect(s.consumer).toMatchObject({ groupId: 'g', readUncommitted: true, maxBytesPerPartition: 65536, maxWaitTimeInMs: 500 });
    expect(s.producer).toMatchObject({ transactionTimeout: 60000, gzip: false });
    expect(s.ignored.map((i) => i.key)).toEqual(['compression.type', 'partition.assignment.strategy']);
  });

  it('names key columns without key.fields-prefix inside the key, and reads them back from the key', () => {
    const declared = [field('k_id', DataTypes.INT()), field('name', DataTypes.STRING())];
    const layout = readLayout({ options: { ...BASE, format: 'json', 'key.format': 'json', 'key.fields': 'k_id', 'key.fields-prefix': 'k_', 'value.fields-include': 'EXCEPT_KEY' }, primaryKey: [] }, false);
    expect(problems({ ...BASE, format: 'json', 'key.format': 'json', 'key.fields': 'k_id', 'key.fields-prefix': 'k_', 'value.fields-include': 'EXCEPT_KEY' }, 'source', [], declared)).toEqual([]);
    const encoder = createRecordEncoder(layout, declared);
    const row = { k_id: 7, name: 'x' };
    expect([encoder.key(row), encoder.value(row)]).toEqual(['{"id":7}', '{"name":"x"}']);
    const decode = createRecordDecoder(layout, declared, declared);
    expect(decode(Buffer.from('{"id":7}'), Buffer.from('{"name":"x"}'), () => 'here')).toEqual(row);
    // Projection: a query reading only the value does not decode the key.
    expect(createRecordDecoder(layout, declared, [declared[1]])(Buffer.from('not json'), Buffer.from('{"name":"x"}'), () => 'here')).toEqual({ name: 'x' });
  });
});
