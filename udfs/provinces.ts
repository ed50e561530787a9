// The pyflink walkthrough's UDF: province id → province name.
import { udf } from 'sluice';

const PROVINCES = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'] as const;

export class Provinces {
  @udf({ name: 'province_id_to_name' })
  static provinceIdToName(id: number): string {
    return PROVINCES[id];
  }
}
