/**
 * One value list per datatype, as raw JSON text (64-bit integers keep every
 * digit), with the extremes of each type; `expected` where the served value is
 * the float32/float64 rounding of what was sent. Shared by the v2 and TF Serving tests.
 */
export const DATATYPE_CASES: { datatype: string; data: string; expected?: string }[] = [
  { datatype: 'BOOL', data: '[true,false,true]' },
  { datatype: 'UINT8', data: '[0,1,255]' },
  { datatype: 'UINT16', data: '[0,1,65535]' },
  { datatype: 'UINT32', data: '[0,1,4294967295]' },
  { datatype: 'UINT64', data: '[0,9007199254740993,18446744073709551615]' },
  { datatype: 'INT8', data: '[-128,0,127]' },
  { datatype: 'INT16', data: '[-32768,0,32767]' },
  { datatype: 'INT32', data: '[-2147483648,0,2147483647]' },
  { datatype: 'INT64', data: '[-9223372036854775808,9007199254740993,9223372036854775807]' },
  // FP16: every value exactly representable in half precision (max, min normal, min subnormal).
  { datatype: 'FP16', data: '[65504,-0.5,0.00006103515625,5.960464477539063e-8]' },
  // FP32: values are rounded to float32 once, then come back unchanged.
  { datatype: 'FP32', data: '[0.1,-3.4028234663852886e38,1.401298464324817e-45]', expected: '[0.10000000149011612,-3.4028234663852886e+38,1.401298464324817e-45]' },
  { datatype: 'FP64', data: '[0.1,1.7976931348623157e308,-5e-324]', expected: '[0.1,1.7976931348623157e+308,-5e-324]' },
  { datatype: 'BYTES', data: '["hello","","ünïcødé ✓","quote\\"and\\\\slash"]' },
];
