/**
 * Every JSONata built-in function with representative arguments (keyed by a case name), for the parity test:
 * each must give the same answer in the workflow sandbox, in a transform task, in a trigger mapping and in plain
 * JSONata on Node. Clock- and randomness-dependent functions are asked about their shape only.
 */
export const FUNCTION_CASES: Readonly<Record<string, string>> = {
  sum: '$sum([1, 2, 3.5])', count: '$count([1, [2, 3]])', max: '$max([3, 9, 1])', min: '$min([3, 9, 1])',
  average: '$average([1, 2, 4])', string: '$string({"a": [1, 2.5, "x"], "b": null})', stringPretty: '$string({"a": [1]}, true)',
  substring: '$substring("héllo wörld", 1, 4)', substringBefore: '$substringBefore("a-b-c", "-")',
  substringAfter: '$substringAfter("a-b-c", "-")', lowercase: '$lowercase("ÀBC")', uppercase: '$uppercase("àbc")',
  length: '$length("h😀llo")', trim: '$trim("  a \n  b  ")', pad: '$pad("x", 5, "#")', padLeft: '$pad("x", -4)',
  match: '$match("ab12cd345", /\\d+/)', contains: '$contains("hello", /l+o/)', replace: '$replace("hello world", /(o)/, "[$1]")',
  replaceString: '$replace("a.b.c", ".", "/", 1)', split: '$split("a,b,,c", ",")', splitRegex: '$split("a1b22c", /\\d+/)',
  join: '$join(["a", "b", "c"], "-")', formatNumber: '$formatNumber(1234567.891, "#,##0.00")',
  formatBase: '$formatBase(255, 16)', formatInteger: '$formatInteger(1234, "w")',
  parseInteger: '$parseInteger("twelve", "w")', number: '$number("0x1F")', floor: '$floor(-2.5)', ceil: '$ceil(2.1)',
  round: '$round(2.675, 2)', abs: '$abs(-7)', sqrt: '$sqrt(2)', power: '$power(2, 0.5)',
  random: '($r := $random(); $r >= 0 and $r < 1)', boolean: '[$boolean([]), $boolean("0"), $boolean({"a": 1})]',
  not: '$not("")', map: '$map([1, 2, 3], function($v, $i){ $v * $i })', zip: '$zip([1, 2, 3], ["a", "b"])',
  filter: '$filter([1, 2, 3, 4], function($v){ $v % 2 = 0 })', single: '$single([1, 2, 3], function($v){ $v = 2 })',
  reduce: '$reduce([1, 2, 3, 4], function($a, $b){ $a * $b }, 10)', sift: '$sift({"a": 1, "b": 2}, function($v){ $v > 1 })',
  keys: '$keys([{"a": 1}, {"b": 2, "a": 3}])', lookup: '$lookup([{"a": 1}, {"a": 2}], "a")',
  append: '$append([1, 2], [3])', exists: '[$exists(null), $exists($nothing)]', spread: '$spread({"a": 1, "b": 2})',
  merge: '$merge([{"a": 1}, {"b": 2, "a": 3}])', reverse: '$reverse([1, "b", 3])',
  each: '$each({"a": 1, "b": 2}, function($v, $k){ $k & "=" & $v })', error: '$type($error)',
  assert: '$exists($assert(1 = 1, "never"))', type: '[$type(1), $type("s"), $type(null), $type([]), $type({}), $type($sum)]',
  sort: '$sort([3, 1, 2])', sortBy: '$sort([{"n": 2}, {"n": 1}], function($l, $r){ $l.n > $r.n })',
  orderBy: '[{"n": 2}, {"n": 1}, {"n": 3}]^(>n).n', shuffle: '$sort($shuffle([5, 3, 1, 4]))',
  distinct: '$distinct([1, "1", 1, {"a": [1]}, {"a": [1]}, [2], [2]])', base64encode: '$base64encode("hello é")',
  base64decode: '$base64decode("aGVsbG8g6Q==")', base64roundTrip: '$base64decode($base64encode("any ~ text"))',
  encodeUrlComponent: '$encodeUrlComponent("a b&c/é")', encodeUrl: '$encodeUrl("https://x.test/a b?q=é")',
  decodeUrlComponent: '$decodeUrlComponent("a%20b%26c")', decodeUrl: '$decodeUrl("https://x.test/a%20b")',
  eval: '$eval("$sum(v)", {"v": [1, 2]})', toMillis: '$toMillis("2024-01-02T03:04:05.678Z")',
  toMillisPicture: '$toMillis("02/01/2024", "[D01]/[M01]/[Y0001]")', fromMillis: '$fromMillis(1700000000123)',
  fromMillisPicture: '$fromMillis(1700000000123, "[FNn], [D1o] [MNn] [Y] [h]:[m01][P]", "+0130")',
  clone: '$clone({"a": [1, {"b": 2}]})', now: '$type($now())', millis: '$type($millis())',
};
