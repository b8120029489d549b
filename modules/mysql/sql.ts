// SQL literals for statements sent on the mysql client's stdin. The client layer turns
// NO_BACKSLASH_ESCAPES off for its session, so backslash escaping below is always read as written.

/** A quoted string literal. */
export function sqlString(s: string): string {
  const escaped = s.replace(/[\\'"\0\n\r\x1a]/g, (c) => {
    switch (c) {
      case '\0':
        return '\\0';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\x1a':
        return '\\Z';
      default:
        return '\\' + c;
    }
  });
  return `'${escaped}'`;
}

/** A quoted identifier (database, table, column). */
export function sqlIdent(s: string): string {
  return '`' + s.replace(/`/g, '``') + '`';
}

/** 'user'@'host' */
export function sqlAccount(user: string, host: string): string {
  return `${sqlString(user)}@${sqlString(host)}`;
}

/** Statement separators outside quotes and comments: enough to classify statements, not to run them. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      cur += c;
      if (c === '\\' && quote !== '`') cur += sql[++i] ?? '';
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
      cur += c;
    } else if (c === '-' && sql[i + 1] === '-' && /\s/.test(sql[i + 2] ?? ' ')) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl;
      cur += ' ';
    } else if (c === '#') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl;
      cur += ' ';
    } else if (c === '/' && sql[i + 1] === '*' && sql[i + 2] !== '!') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
      cur += ' ';
    } else if (c === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Statements that only read: SELECT (without INTO), SHOW, DESCRIBE, EXPLAIN. */
export function isReadOnly(sql: string): boolean {
  const stmts = splitStatements(sql);
  return (
    stmts.length > 0 &&
    stmts.every((s) => /^\(?\s*(SELECT|SHOW|DESCRIBE|DESC|EXPLAIN|WITH)\b/i.test(s) && !/\bINTO\s+(OUTFILE|DUMPFILE|@)/i.test(s) && !/\bFOR\s+UPDATE\b/i.test(s))
  );
}
