// package.json overrides fastify's `cookie` (2.x, which declares Node >= 22) with 1.1.1, so that `npm ci` on
// Node 20 has no engine warning. fastify uses it only through light-my-request's inject(): its `cookies`
// option is encoded with cookie's stringifySetCookie. This checks that path against the encoding RFC 6265
// asks for (percent-encoded values, '; ' between pairs), computed here without the library.
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';

describe('the cookie override', () => {
  const app = Fastify();
  app.get('/echo', async (req) => ({ cookie: req.headers.cookie ?? null }));
  app.get('/set', async (_req, reply) => { reply.header('set-cookie', 'session=a%20b; Path=/; HttpOnly'); return 'ok'; });
  afterAll(() => app.close());

  it('inject() sends the cookies it is given, encoded', async () => {
    const cookies = { plain: 'v1', spaced: 'a b;c', unicode: 'ü' };
    const res = await app.inject({ method: 'GET', url: '/echo', cookies });
    const expected = Object.entries(cookies).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
    expect(res.json()).toEqual({ cookie: expected });
  });

  it('inject() reads the cookies a response sets', async () => {
    const res = await app.inject({ method: 'GET', url: '/set' });
    expect(res.cookies).toEqual([{ name: 'session', value: 'a b', path: '/', httpOnly: true }]);
  });
});
