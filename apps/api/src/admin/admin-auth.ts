import type { IncomingMessage } from 'node:http';
import { sameSecret } from '@libs/domain';

/**
 * Whether a request carries ADMIN_TOKEN, as `Authorization: Bearer <token>` (scripts) or as the
 * password of basic auth (a browser's prompt, for the queue dashboard). No token configured: no access.
 */
export function isAdmin(req: IncomingMessage, adminToken: string | undefined): boolean {
  if (!adminToken) {
    return false;
  }
  const header = req.headers.authorization ?? '';
  let given = '';
  if (header.startsWith('Bearer ')) {
    given = header.slice('Bearer '.length);
  } else if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    given = decoded.slice(decoded.indexOf(':') + 1);
  }
  return sameSecret(given, adminToken);
}
