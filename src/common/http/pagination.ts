import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, isUUID, Max, MaxLength, Min } from 'class-validator';
import { CommonErrorCode, CommonException } from '../errors/common-errors';
import { hasUnsafeCharacter } from '../text';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Opaque keyset cursor: the sort values of the last row, as base64url JSON. */
export function encodeCursor(values: (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number | null)[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every(
        // A forged cursor must not carry NUL or other controls to PostgreSQL.
        (v) =>
          v === null || typeof v === 'number' || (typeof v === 'string' && !hasUnsafeCharacter(v)),
      )
    ) {
      return values as (string | number | null)[];
    }
  } catch {
    // fall through to the 400 below
  }
  throw invalidCursor();
}

export const invalidCursor = () =>
  new CommonException(CommonErrorCode.ValidationFailed, 'The cursor is not valid.', {
    errors: [{ field: 'cursor', message: 'cursor must be a nextCursor from a previous page' }],
  });

/** Rows fetched with limit + 1: the extra row only says that another page exists. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  view: (row: Row) => Item,
  cursorOf: (row: Row) => (string | number | null)[],
): Page<Item> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(view),
    nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null,
  };
}

// Exactly what Date#toISOString writes for the years PostgreSQL and JavaScript agree on: a forged
// `+010000-…`, `-000100-…` or `0000-…` would reach the database as a timestamp it rejects.
const CURSOR_TIME = /^(19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A timestamp a cursor carries, checked as a value (see CURSOR_TIME); anything else is a 400. */
export function cursorTime(value: unknown): Date {
  const time = typeof value === 'string' && CURSOR_TIME.test(value) ? new Date(value) : null;
  if (!time || Number.isNaN(time.getTime()) || time.toISOString() !== value) throw invalidCursor();
  return time;
}

/** The usual (createdAt, id) keyset cursor, checked so that a forged one is a 400, never a 500. */
export function decodeTimeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = decodeCursor(cursor, 2);
  if (typeof id !== 'string' || !isUUID(id)) throw invalidCursor();
  return { createdAt: cursorTime(at), id };
}
