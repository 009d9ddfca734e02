import type { FastifySchemaValidationError } from 'fastify';
import { AppError } from '../errors.ts';
import { fieldErrors, isOneLine } from './validation.ts';

// A form that fails is shown again with 400 (or the rule's status) and each message beside its
// field; '_' holds messages that belong to no single field.

export interface FormFailure {
  status: number;
  errors: Record<string, string>;
}

export function invalidForm(validation: readonly FastifySchemaValidationError[]): FormFailure {
  return { status: 400, errors: fieldErrors(validation) };
}

/** Turns a refused rule into a form failure; anything else is rethrown for the error handler. */
export function refusedForm(error: unknown): FormFailure {
  if (!(error instanceof AppError) || error.statusCode >= 500 || error.code === 'UNAUTHENTICATED') throw error;
  const errors: Record<string, string> = {};
  for (const { field, message } of error.errors ?? [{ field: error.field ?? '_', message: error.message }]) {
    errors[field] = errors[field] ? `${errors[field]}；${message}` : message;
  }
  return { status: error.statusCode, errors };
}

/**
 * Only a path of this site may follow sign-in, never another site: one leading slash, then no
 * backslash and no control or bidi character anywhere. Browsers drop tabs and line breaks from a
 * Location and read a backslash as `/`, so `/<TAB>/evil` would become `//evil`; anything else goes
 * to `fallback` (home unless given).
 */
export function safeNext(next: unknown, fallback = '/'): string {
  return typeof next === 'string' && /^\/(?!\/)[^\\]*$/.test(next) && isOneLine(next) ? next : fallback;
}
