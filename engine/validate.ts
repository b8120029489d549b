// Address and port validators shared by the inventory and by roles' variable schemas (zod).
// Each failure message quotes the bad value, e.g. "'10.40.1.300' is not an IPv4 address".
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';

/** A value quoted for a message, cut when long: a 100 KB variable must not become a 100 KB error line. */
export function quoted(value: unknown): string {
  const text = String(value);
  return text.length <= 80 ? `'${text}'` : `'${text.slice(0, 60)}…' (${text.length} characters)`;
}

const HOSTNAME_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isHostname(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // An all-numeric last label would be read as an IP address by resolvers: not a host name.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((label) => HOSTNAME_LABEL.test(label));
}

export function isIPv4Cidr(value: string): boolean {
  const match = /^([^/]+)\/([0-9]{1,2})$/.exec(value);
  return match !== null && isIPv4(match[1] ?? '') && Number(match[2]) <= 32;
}

/** The port number for 1..65535 given as a number or a string of digits; undefined otherwise. */
export function toPort(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * Why `value` is not a usable host address (IPv4, IPv6 or host name), or undefined when it is.
 * Dotted numbers are judged as IPv4 and anything with ':' as IPv6, so the message names the intent.
 */
export function addressProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `${quoted(value)} is not a host address (a string is expected)`;
  if (/^[0-9.]+$/.test(value)) return isIPv4(value) ? undefined : `${quoted(value)} is not an IPv4 address`;
  if (value.includes(':')) return isIPv6(value) ? undefined : `${quoted(value)} is not an IPv6 address`;
  return isHostname(value) ? undefined : `${quoted(value)} is not a hostname`;
}

export const ipv4 = z.string().refine(isIPv4, { error: (iss) => `${quoted(iss.input)} is not an IPv4 address` });

export const ipv6 = z.string().refine(isIPv6, { error: (iss) => `${quoted(iss.input)} is not an IPv6 address` });

/** `a.b.c.d/nn`, e.g. 10.40.1.0/24. */
export const ipv4Cidr = z
  .string()
  .refine(isIPv4Cidr, { error: (iss) => `${quoted(iss.input)} is not an IPv4 CIDR (a.b.c.d/nn)` });

export const hostname = z.string().refine(isHostname, { error: (iss) => `${quoted(iss.input)} is not a hostname` });

/** An address a connection can use: IPv4, IPv6 or a host name. */
export const hostAddress = z.string().superRefine((value, ctx) => {
  const problem = addressProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** 1..65535, given as a number or a string of digits (INI and env values); yields a number. */
export const port = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = toPort(value);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `${quoted(value)} is not a port (1..65535)` });
    return z.NEVER;
  }
  return n;
});

/** The first issue's message when `value` fails `schema`, else undefined: for one-line errors. */
export function validationProblem(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}
