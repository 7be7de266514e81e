/**
 * Login throttling per client IP and username: a password-guessing client is slowed down without
 * locking the account (a lockout would let anyone lock out the admin). Only failed attempts count.
 * The count lives in PostgreSQL (login-store.ts), so several API replicas enforce one limit; while the database
 * is unreachable the login answers 503 (it could not check a password either).
 */
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError } from '../../common/errors';
import type { ApiDeps } from '../deps';
import { PostgresLoginStore } from './login-store';

const WINDOW_MS = 15 * 60 * 1000;

/** The rate limiter of `POST /auth/login`; 429 problem+json with Retry-After once exceeded. */
export function loginLimiter(deps: Pick<ApiDeps, 'config' | 'db' | 'logger'>): RequestHandler[] {
  return [
    rateLimit({
      windowMs: WINDOW_MS,
      limit: deps.config.authLoginMaxAttempts,
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      store: new PostgresLoginStore(deps.db, deps.logger),
      keyGenerator: (req) => {
        const username = typeof req.body?.username === 'string' ? req.body.username.toLowerCase().slice(0, 255) : '';
        return `${ipKeyGenerator(req.ip ?? 'unknown')}|${username}`;
      },
      handler: (_req, _res, next) =>
        next(new AppError(429, 'Too Many Requests', 'Too many failed login attempts; try again later')),
    }),
  ];
}
