import { indexedField, type SigmaSource } from './fields.js';
import { Refusal } from './refusal.js';

/** A condition in firedrill's rule language (docs/rules.md). */
export type Condition = Record<string, unknown>;
type Path = (string | number)[];

const SUPPORTED = [
  'contains',
  'startswith',
  'endswith',
  'all',
  're',
  'i',
  'm',
  's',
  'cidr',
  'exists',
  'cased',
];
const COMPARE = ['gt', 'gte', 'lt', 'lte'];
const WHY_NOT: Record<string, string> = {
  fieldref: 'comparing two fields of one event needs a script, and rules never carry scripts',
  base64: 'encoded-value modifiers are not supported',
  base64offset: 'encoded-value modifiers are not supported',
  utf16le: 'encoded-value modifiers are not supported',
  utf16be: 'encoded-value modifiers are not supported',
  utf16: 'encoded-value modifiers are not supported',
  wide: 'encoded-value modifiers are not supported',
  windash: 'windash is for Windows command lines, not cloud audit logs',
  expand: 'placeholders are not supported',
};

/** Compiles a Sigma `detection` block (selections and its condition) to one firedrill condition. */
export function compileDetection(detection: unknown, source: SigmaSource): Condition {
  if (!isMap(detection)) throw new Refusal('detection', 'missing or not a map', ['detection']);
  const { condition, timeframe, ...rest } = detection;
  if (timeframe !== undefined)
    throw new Refusal(
      'detection.timeframe',
      'Sigma v1 aggregation timeframes are not supported; write a correlation rule',
      ['detection', 'timeframe'],
    );
  const selections = new Map<string, Condition>();
  for (const [name, value] of Object.entries(rest))
    selections.set(name, compileSelection(value, source, ['detection', name], `detection.${name}`));
  let text = condition;
  if (Array.isArray(text)) {
    if (text.length !== 1)
      throw new Refusal(
        'detection.condition',
        'a list of several conditions is not supported; join them with or',
        ['detection', 'condition'],
      );
    text = text[0];
  }
  if (typeof text !== 'string' || !text.trim())
    throw new Refusal('detection.condition', 'missing or not a string', ['detection', 'condition']);
  return canonical(new ConditionParser(text, selections).parse());
}

/** A selection: a map (every field holds) or a list of maps (any of them). */
function compileSelection(value: unknown, source: SigmaSource, path: Path, construct: string): Condition {
  if (isMap(value)) return compileMap(value, source, path, construct);
  if (Array.isArray(value) && value.length > 0) {
    if (value.every(isMap))
      return { any: value.map((m, i) => compileMap(m, source, [...path, i], `${construct}[${i}]`)) };
    throw new Refusal(
      construct,
      'keyword search (values without a field) needs a full-text field, and firedrill indexes none',
      path,
    );
  }
  throw new Refusal(construct, 'a selection must be a map of fields or a list of such maps', path);
}

function compileMap(
  map: Record<string, unknown>,
  source: SigmaSource,
  path: Path,
  construct: string,
): Condition {
  const keys = Object.keys(map);
  if (keys.length === 0) throw new Refusal(construct, 'an empty selection', path);
  return {
    all: keys.map((key) => compileFieldTest(key, map[key], source, [...path, key], `${construct}.${key}`)),
  };
}

/** One `field|modifiers: value(s)` entry. */
function compileFieldTest(
  key: string,
  value: unknown,
  source: SigmaSource,
  path: Path,
  construct: string,
): Condition {
  const [raw, ...mods] = key.split('|');
  if (!raw)
    throw new Refusal(
      construct,
      'keyword search (a value without a field) needs a full-text field, and firedrill indexes none',
      path,
    );
  for (const mod of mods) {
    if (WHY_NOT[mod]) throw new Refusal(construct, `modifier '${mod}': ${WHY_NOT[mod]}`, path);
    if (!SUPPORTED.includes(mod) && !COMPARE.includes(mod))
      throw new Refusal(construct, `modifier '${mod}' is not a Sigma modifier firedrill knows`, path);
  }
  if (new Set(mods).size !== mods.length) throw new Refusal(construct, 'a modifier is repeated', path);
  const has = (m: string) => mods.includes(m);
  const kinds = ['contains', 'startswith', 'endswith', 're', 'cidr', 'exists', ...COMPARE].filter(has);
  if (kinds.length > 1)
    throw new Refusal(construct, `modifiers '${kinds.join("' and '")}' do not combine`, path);
  const kind = kinds[0];
  if ((has('i') || has('m') || has('s')) && kind !== 're')
    throw new Refusal(construct, "'i', 'm' and 's' go with 're' only", path);
  if (has('cased') && (kind === 're' || kind === 'cidr' || kind === 'exists' || COMPARE.includes(kind ?? '')))
    throw new Refusal(construct, `'cased' does not apply to '${kind}'`, path);

  if (kind === 'exists') {
    if (typeof value !== 'boolean') throw new Refusal(construct, "'exists' takes true or false", path);
    return { [indexedField(source, raw, 'presence', path, construct)]: { exists: value } };
  }
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) throw new Refusal(construct, 'an empty list of values', path);

  let tests: Condition[];
  if (kind === 'cidr') {
    const field = indexedField(source, raw, 'ip', path, construct);
    if (!values.every((v) => typeof v === 'string'))
      throw new Refusal(construct, "'cidr' takes IP ranges as strings", path);
    if (!has('all')) return { [field]: { cidr: values.length === 1 ? values[0] : values } };
    tests = values.map((v) => ({ [field]: { cidr: v } }));
  } else if (kind && COMPARE.includes(kind)) {
    const field = indexedField(source, raw, 'value', path, construct);
    tests = values.map((v) => {
      if (typeof v !== 'number') throw new Refusal(construct, `'${kind}' compares numbers only`, path);
      return { [field]: { [kind]: v } };
    });
  } else if (kind === 're') {
    const field = indexedField(source, raw, 'value', path, construct);
    if (has('m')) throw new Refusal(construct, "'re|m' (multi-line anchors) has no Lucene equivalent", path);
    tests = values.map((v) => {
      if (typeof v !== 'string') throw new Refusal(construct, "'re' takes a string", path);
      const regexp = luceneRegexp(
        v,
        has('s'),
        (why) => new Refusal(construct, `regular expression ${JSON.stringify(v)}: ${why}`, path),
      );
      return { [field]: has('i') ? { regexp, case_insensitive: true } : { regexp } };
    });
  } else {
    const cased = has('cased');
    tests = values.map((v) => {
      if (v === null) {
        if (kind) throw new Refusal(construct, `'${kind}' of null`, path);
        return { [indexedField(source, raw, 'presence', path, construct)]: { exists: false } };
      }
      const field = indexedField(source, raw, 'value', path, construct);
      if (typeof v === 'number' || typeof v === 'boolean') {
        if (kind) throw new Refusal(construct, `'${kind}' of a ${typeof v}`, path);
        return { [field]: v };
      }
      if (typeof v !== 'string')
        throw new Refusal(construct, 'values must be strings, numbers, booleans or null', path);
      return { [field]: stringTest(parseSigmaString(v), kind, cased) };
    });
  }
  if (has('all')) return { all: tests };
  return tests.length === 1 ? tests[0]! : mergeEquals(tests);
}

/** Several values are alternatives; plain equalities on one field with one case rule become `in`. */
function mergeEquals(tests: Condition[]): Condition {
  const field = Object.keys(tests[0]!)[0]!;
  const flat = tests.map((t) => t[field]);
  const eqCi = flat.every(
    (t) =>
      isMap(t) && Object.keys(t).length === 2 && typeof t.equals === 'string' && t.case_insensitive === true,
  );
  if (tests.every((t) => Object.keys(t)[0] === field)) {
    if (eqCi) return { [field]: { in: flat.map((t) => (t as Condition).equals), case_insensitive: true } };
    if (flat.every((t) => typeof t === 'string' || typeof t === 'number' || typeof t === 'boolean'))
      return { [field]: flat };
  }
  return { any: tests };
}

type Token = { literal: string } | { any: true } | { one: true };

/** A Sigma string: `*` any run, `?` one character, `\*` `\?` `\\` escaped; any other backslash is itself. */
export function parseSigmaString(text: string): Token[] {
  const out: Token[] = [];
  let literal = '';
  const flush = () => {
    if (literal) out.push({ literal });
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && ['*', '?', '\\'].includes(text[i + 1] ?? '')) {
      literal += text[++i];
    } else if (c === '*') {
      flush();
      out.push({ any: true });
    } else if (c === '?') {
      flush();
      out.push({ one: true });
    } else literal += c;
  }
  flush();
  return out;
}

function stringTest(tokens: Token[], kind: string | undefined, cased: boolean): Condition {
  const parts = [...tokens];
  if (kind === 'contains' || kind === 'endswith') parts.unshift({ any: true });
  if (kind === 'contains' || kind === 'startswith') parts.push({ any: true });
  const ci = cased ? {} : { case_insensitive: true };
  const literals = parts.every((p) => 'literal' in p);
  if (literals || parts.length === 0)
    return { equals: parts.map((p) => (p as { literal: string }).literal).join(''), ...ci };
  const last = parts[parts.length - 1]!;
  if ('any' in last && parts.slice(0, -1).every((p) => 'literal' in p) && parts.length > 1)
    return {
      prefix: parts
        .slice(0, -1)
        .map((p) => (p as { literal: string }).literal)
        .join(''),
      ...ci,
    };
  const pattern = parts
    .map((p) => ('any' in p ? '*' : 'one' in p ? '?' : p.literal.replace(/[\\*?]/g, (c) => `\\${c}`)))
    .join('');
  return { wildcard: pattern, ...ci };
}

const NEWLINE_FREE = '[^\n]';

/**
 * A Sigma regular expression (searched anywhere in the value) as a Lucene `regexp` (matched against the whole
 * value, optional operators off): unanchored ends become `.*`, `.` becomes "any but a newline" unless `s`.
 * Anything Lucene would read differently is refused.
 */
export function luceneRegexp(re: string, dotAll: boolean, refuse: (why: string) => Refusal): string {
  let body = re;
  const anchoredStart = body.startsWith('^');
  if (anchoredStart) body = body.slice(1);
  const anchoredEnd = body.endsWith('$') && !isEscaped(body, body.length - 1);
  if (anchoredEnd) body = body.slice(0, -1);
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      const next = body[i + 1];
      if (next === undefined) throw refuse('ends in a lone backslash');
      if (/[A-Za-z0-9]/.test(next))
        throw refuse(
          `'\\${next}' means something else (or nothing) in Lucene; write a character class like [0-9]`,
        );
      out += `\\${next}`;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      if (c === '[') throw refuse("nested '[' in a character class");
      out += c;
      continue;
    }
    switch (c) {
      case '[':
        inClass = true;
        if (body[i + 1] === ']' || (body[i + 1] === '^' && body[i + 2] === ']'))
          throw refuse("a class starting with ']' is read differently by Lucene");
        out += c;
        break;
      case '.':
        out += dotAll ? '.' : NEWLINE_FREE;
        break;
      case '^':
      case '$':
        throw refuse(`'${c}' inside the expression (only at its start or end) has no Lucene equivalent`);
      case '(':
        if (body[i + 1] === '?')
          throw refuse("groups with '(?' (lookaround, flags, named or non-capturing) are not in Lucene");
        out += c;
        break;
      case '*':
      case '+':
      case '?':
      case '}':
        if (body[i + 1] === '?' || body[i + 1] === '+')
          throw refuse('lazy and possessive quantifiers are not in Lucene');
        out += c;
        break;
      case '"':
      case '<':
      case '>':
      case '#':
      case '@':
      case '&':
      case '~':
        out += `\\${c}`; // literal in Sigma; escaped so Lucene never reads it as an operator
        break;
      default:
        out += c;
    }
  }
  if (inClass) throw refuse("an unclosed '['");
  return `${anchoredStart ? '' : '.*'}${out}${anchoredEnd ? '' : '.*'}`;
}

function isEscaped(text: string, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && text[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Sigma condition grammar: `or` < `and` < `not` < (group | `1 of x` | `all of x` | name). */
class ConditionParser {
  private tokens: string[];
  private at = 0;
  constructor(
    private readonly text: string,
    private readonly selections: Map<string, Condition>,
  ) {
    this.tokens = text.match(/\(|\)|\||[^\s()|]+/g) ?? [];
  }

  private refuse(why: string): Refusal {
    return new Refusal('detection.condition', `'${this.text}': ${why}`, ['detection', 'condition']);
  }

  parse(): Condition {
    if (this.tokens.includes('|'))
      throw this.refuse('Sigma v1 aggregations (| count() …) are not supported; write a correlation rule');
    const c = this.or();
    if (this.at < this.tokens.length) throw this.refuse(`unexpected '${this.tokens[this.at]}'`);
    return c;
  }

  private peek(): string | undefined {
    return this.tokens[this.at]?.toLowerCase();
  }

  private or(): Condition {
    const parts = [this.and()];
    while (this.peek() === 'or') {
      this.at++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0]! : { any: parts };
  }

  private and(): Condition {
    const parts = [this.not()];
    while (this.peek() === 'and') {
      this.at++;
      parts.push(this.not());
    }
    return parts.length === 1 ? parts[0]! : { all: parts };
  }

  private not(): Condition {
    if (this.peek() === 'not') {
      this.at++;
      return { not: this.not() };
    }
    return this.primary();
  }

  private primary(): Condition {
    const token = this.tokens[this.at++];
    if (token === undefined) throw this.refuse('ends too early');
    if (token === '(') {
      const c = this.or();
      if (this.tokens[this.at++] !== ')') throw this.refuse("a '(' is not closed");
      return c;
    }
    const lower = token.toLowerCase();
    if ((lower === '1' || lower === 'all' || lower === 'any') && this.peek() === 'of') {
      this.at++;
      const target = this.tokens[this.at++];
      if (!target) throw this.refuse(`'${token} of' names no selections`);
      const names = this.matching(target);
      const parts = names.map((n) => this.selections.get(n)!);
      if (parts.length === 1) return parts[0]!;
      return lower === 'all' ? { all: parts } : { any: parts };
    }
    if (['and', 'or', 'not', ')'].includes(lower)) throw this.refuse(`unexpected '${token}'`);
    const selection = this.selections.get(token);
    if (!selection) throw this.refuse(`no selection named '${token}'`);
    return selection;
  }

  /** `them` (every selection not starting with `_`), a wildcard pattern, or one name. */
  private matching(target: string): string[] {
    const names = [...this.selections.keys()];
    let found: string[];
    if (target === 'them') found = names.filter((n) => !n.startsWith('_'));
    else {
      const re = new RegExp(
        `^${target
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      found = names.filter((n) => re.test(n));
    }
    if (!found.length) throw this.refuse(`'${target}' matches no selection`);
    return found;
  }
}

/**
 * One canonical form for equal meanings, so importing an export gives the same rule: nested `all` in `all`
 * and `any` in `any` are flattened, one-element lists unwrapped, `not not x` is `x`.
 */
export function canonical(c: Condition): Condition {
  if (Array.isArray(c.all) || Array.isArray(c.any)) {
    const op = Array.isArray(c.all) ? 'all' : 'any';
    const parts = (c[op] as Condition[])
      .map(canonical)
      .flatMap((p) => (Array.isArray(p[op]) && Object.keys(p).length === 1 ? (p[op] as Condition[]) : [p]));
    return parts.length === 1 ? parts[0]! : { [op]: parts };
  }
  if (c.not !== undefined && Object.keys(c).length === 1) {
    const inner = canonical(c.not as Condition);
    if (inner.not !== undefined && Object.keys(inner).length === 1) return inner.not as Condition;
    return { not: inner };
  }
  return c;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
