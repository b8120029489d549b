// Line numbers for a TS inventory: the object literal given to `export default defineInventory({...})`
// is walked with the TypeScript parser, so errors and origin() can say file:line like the other formats.
import type * as TS from 'typescript';
import type { PropertyLines } from './property-lines';

export const tsPropertyLines: PropertyLines = (text, file) => {
  // typescript is heavy; ts-node has it loaded already when a TS inventory is in play.
  const ts = require('typescript') as typeof TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = new Map<string, number>();
  const lineOf = (node: TS.Node): number => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const key = (path: readonly (string | number)[]): string => path.map(String).join('\u0000');

  const unwrap = (node: TS.Expression | undefined): TS.Expression | undefined => {
    let current = node;
    for (let guard = 0; current !== undefined && guard < 20; guard++) {
      if (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isNonNullExpression(current)) {
        current = current.expression;
      } else if (ts.isCallExpression(current)) {
        current = current.arguments[0];
      } else if (ts.isIdentifier(current)) {
        current = declarationOf(current.text);
      } else {
        return current;
      }
    }
    return current;
  };
  const declarationOf = (name: string): TS.Expression | undefined => {
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const decl of statement.declarationList.declarations) {
        if (ts.isIdentifier(decl.name) && decl.name.text === name) return decl.initializer;
      }
    }
    return undefined;
  };
  const nameText = (name: TS.PropertyName): string | undefined => {
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
    if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
    return undefined;
  };
  const walk = (node: TS.Expression | undefined, path: readonly (string | number)[]): void => {
    const value = unwrap(node);
    if (value === undefined) return;
    if (ts.isObjectLiteralExpression(value)) {
      for (const property of value.properties) {
        const name = property.name ? nameText(property.name) : undefined;
        if (name === undefined) continue;
        lines.set(key([...path, name]), lineOf(property));
        if (ts.isPropertyAssignment(property)) walk(property.initializer, [...path, name]);
      }
    } else if (ts.isArrayLiteralExpression(value)) {
      value.elements.forEach((element, index) => {
        lines.set(key([...path, index]), lineOf(element));
        if (ts.isStringLiteralLike(element)) lines.set(key([...path, element.text]), lineOf(element));
        else walk(element, [...path, index]);
      });
    }
  };

  let fallback = 1;
  for (const statement of source.statements) {
    if (ts.isExportAssignment(statement)) {
      fallback = lineOf(statement);
      walk(statement.expression, []);
    }
  }
  return (path) => {
    for (let length = path.length; length > 0; length--) {
      const line = lines.get(key(path.slice(0, length)));
      if (line !== undefined) return line;
    }
    return fallback;
  };
};
