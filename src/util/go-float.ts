// Go's `%.<prec>g` formatting of a float64, digit for digit. JavaScript's toPrecision rounds exact
// ties away from zero while Go rounds them to even, and binary sizes divided by 1024 hit such ties
// (1088 B is exactly 1.0625 KiB: Go prints 1.062), so the rounding works on the exact decimal value.

interface Decimal {
  /** Significant digits, no leading or trailing zeros; empty for zero. */
  digits: string;
  /** Position of the decimal point: value = 0.<digits> × 10^dp. */
  dp: number;
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp2 = (biased === 0 ? 1 : biased) - 1075;
  let text: string;
  let dp: number;
  if (exp2 >= 0) {
    text = (mantissa << BigInt(exp2)).toString();
    dp = text.length;
  } else {
    // m / 2^k = m·5^k / 10^k
    text = (mantissa * 5n ** BigInt(-exp2)).toString();
    dp = text.length + exp2;
  }
  return { digits: text.replace(/0+$/, ''), dp };
}

/** Rounds to `n` significant digits, exact halves to even (Go's decimal rounding). */
function roundDigits(d: Decimal, n: number): Decimal {
  if (d.digits.length <= n) return d;
  const next = d.digits.charCodeAt(n) - 48;
  const exactHalf = next === 5 && d.digits.length === n + 1;
  const up = exactHalf ? n > 0 && (d.digits.charCodeAt(n - 1) - 48) % 2 === 1 : next >= 5;
  if (!up) return { digits: d.digits.slice(0, n).replace(/0+$/, ''), dp: d.dp };
  const kept = d.digits.slice(0, n).split('').map(Number);
  let i = kept.length - 1;
  while (i >= 0 && kept[i] === 9) i--;
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  kept[i]! += 1;
  return { digits: kept.slice(0, i + 1).join(''), dp: d.dp };
}

function fixed(d: Decimal, decimals: number): string {
  const digit = (i: number) => (i >= 0 && i < d.digits.length ? d.digits[i]! : '0');
  let int = '';
  if (d.dp <= 0) int = '0';
  else for (let i = 0; i < d.dp; i++) int += digit(i);
  let frac = '';
  for (let i = 0; i < decimals; i++) frac += digit(d.dp + i);
  return decimals > 0 ? `${int}.${frac}` : int;
}

function exponential(d: Decimal, decimals: number): string {
  const digit = (i: number) => (i < d.digits.length ? d.digits[i]! : '0');
  let out = digit(0);
  if (decimals > 0) {
    out += '.';
    for (let i = 1; i <= decimals; i++) out += digit(i);
  }
  const exp = d.digits.length === 0 ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return `${out}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

/** fmt.Sprintf("%.<prec>g", x) for a finite x. */
export function formatG(x: number, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const p = prec === 0 ? 1 : prec;
  const d = roundDigits(exactDecimal(Math.abs(x)), p);
  const nd = d.digits.length;
  let eprec = p;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  const exp = d.dp - 1;
  let body: string;
  if (nd > 0 && (exp < -4 || exp >= eprec)) {
    body = exponential(d, Math.min(p, nd) - 1);
  } else {
    const digits = p > d.dp ? nd : p;
    body = fixed(d, Math.max(digits - d.dp, 0));
  }
  return (neg ? '-' : '') + body;
}
