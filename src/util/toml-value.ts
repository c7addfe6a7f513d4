// The values a TOML document decodes to, keeping what Go's untyped decoding keeps: integers stay
// 64-bit (bigint), floats stay floats even when integral, and date-times keep the text Go would
// print for them again.

/** A float (`1.0` is a float, `1` an integer). */
export class TomlFloat {
  constructor(readonly value: number) {}
}

/** A date-time, date or time, held as the text go-toml writes for it. */
export class TomlDateTime {
  constructor(readonly text: string) {}
}

export type TomlValue = string | boolean | bigint | TomlFloat | TomlDateTime | TomlValue[] | TomlTable;

/** Tables are Maps so that keys like `__proto__` or `1` are kept as written. */
export type TomlTable = Map<string, TomlValue>;

export function isTable(v: TomlValue | undefined): v is TomlTable {
  return v instanceof Map;
}

export class TomlError extends Error {}
