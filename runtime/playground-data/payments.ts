// The pyflink walkthrough's generate_source_data.py: payment messages as JSON, order ids counting up from
// the start time in epoch seconds, amounts uniform in [0, 100000), platform 0 nine times in ten, province
// 0..6 (the job's province_id_to_name maps these). createTime is the wall clock as 'yyyy-MM-dd HH:mm:ss',
// in UTC where the script uses the local time zone.
import { formatTimestamp } from '../core/values.js';
import type { OutRecord } from '../connectors/kafka/client.js';
import { RowRandom, streamKey } from '../connectors/datagen/random.js';

export interface Payment {
  createTime: string;
  orderId: number;
  payAmount: number;
  payPlatform: number;
  provinceId: number;
}

const MAX_PRICE = 100_000;

export class PaymentSupplier {
  private readonly random = new RowRandom();
  private readonly key: number;
  private n = 0;
  private orderId: number;

  constructor(seed: number, startMs: number = Date.now(), private readonly clock: () => number = Date.now) {
    this.key = streamKey(seed, 'payment');
    this.orderId = Math.floor(startMs / 1000);
  }

  get(): Payment {
    this.random.at(this.key, this.n++);
    return {
      createTime: formatTimestamp(this.clock(), 0),
      orderId: ++this.orderId,
      payAmount: MAX_PRICE * this.random.nextDouble(),
      payPlatform: this.random.nextDouble() < 0.9 ? 0 : 1,
      provinceId: this.random.nextInt(0, 6),
    };
  }
}

export function paymentRecord(p: Payment): OutRecord {
  return { key: null, value: JSON.stringify(p) };
}
