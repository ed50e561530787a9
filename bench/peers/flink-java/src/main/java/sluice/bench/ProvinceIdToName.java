package sluice.bench;

import org.apache.flink.table.functions.ScalarFunction;

/** province_id_to_name(provinceId): the Java twin of PyFlink's payment example UDF. */
public class ProvinceIdToName extends ScalarFunction {
    private static final String[] PROVINCES = {
        "Beijing", "Shanghai", "Hangzhou", "Shenzhen", "Jiangxi", "Chongqing", "Xizang"
    };

    public String eval(Integer id) {
        if (id == null || id < 0 || id >= PROVINCES.length) {
            return null;
        }
        return PROVINCES[id];
    }
}
