// Hand-written payment job: province_id_to_name(provinceId) (the UDF's table, inline) and SUM(payAmount) per
// province, summed in arrival order as the engines do; reads payAmount and provinceId only.
import { exactDecimal } from '../lib/capture.js';
import { decimalField, finalAnswer, forEachChunk, handMain, intField, next, skipField } from './hand-loop.js';

const PROVINCES = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'];

handMain('payments', (input, output) => {
  const sums = new Float64Array(PROVINCES.length);
  const seen = new Uint8Array(PROVINCES.length);
  let rows = 0;
  const first = forEachChunk(input, (buf, end) => {
    let i = 0;
    while (i < end) {
      const amount = decimalField(buf, skipField(buf, skipField(buf, i)));
      const province = intField(buf, skipField(buf, next));
      i = next;
      rows++;
      if (province < 0 || province >= PROVINCES.length) throw new Error(`province ${province}: the UDF gives NULL, not handled here`);
      sums[province] += amount;
      seen[province] = 1;
    }
  });
  const lines = PROVINCES.flatMap((p, i) => (seen[i] ? [`${p},${exactDecimal(sums[i])}`] : []));
  return finalAnswer(output, 'province,pay_amount', lines, first, rows);
});
