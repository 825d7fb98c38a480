import assert from 'node:assert/strict';
import type { V1Ingress } from '@kubernetes/client-node';
import { clusterDnsResolver, routesFromIngress } from '../src/routes/ingress-routes.ts';
import type { RoutePolicy } from '../src/routes/route-policy.ts';
import { RouteTable, pathMatches } from '../src/routes/route-table.ts';
import type { PathType, Route } from '../src/routes/route-table.ts';

const policy: RoutePolicy = {
  auth: 'none',
  rateLimit: undefined,
  timeoutMs: 1000,
  bodyLimitBytes: 1024,
  corsOrigins: [],
};

function route(
  name: string,
  path: string,
  pathType: PathType,
  options: Partial<Route> = {},
): Route {
  return {
    name,
    source: `default/${name}`,
    host: undefined,
    path,
    pathType,
    fallback: false,
    upstream: new URL(`http://${name}.default.svc.cluster.local:80`),
    policy,
    createdAt: 0,
    ...options,
  };
}

describe('route matching (Ingress spec semantics)', () => {
  it("When paths are Prefix, then they match whole path elements only, as the spec's examples say", () => {
    const cases: [string, string, boolean][] = [
      ['/', '/anything', true],
      ['/foo', '/foo', true],
      ['/foo', '/foo/', true],
      ['/foo/', '/foo', true],
      ['/foo', '/foo/bar', true],
      ['/foo', '/foobar', false],
      ['/aaa/bb', '/aaa/bbb', false],
      ['/aaa/bbb', '/aaa/bbb/', true],
    ];
    for (const [rule, path, expected] of cases)
      assert.equal(pathMatches('Prefix', rule, path), expected, `${rule} ~ ${path}`);
  });

  it('When a path is Exact, then only the identical path matches (trailing slash and case matter)', () => {
    assert.equal(pathMatches('Exact', '/foo', '/foo'), true);
    assert.equal(pathMatches('Exact', '/foo', '/foo/'), false);
    assert.equal(pathMatches('Exact', '/foo', '/FOO'), false);
  });

  it('When several rules match, then the longest path wins, and Exact beats Prefix of the same length', () => {
    const table = new RouteTable([
      route('root', '/', 'Prefix'),
      route('api', '/api', 'Prefix'),
      route('v1', '/api/v1', 'Prefix'),
      route('exact', '/api', 'Exact'),
    ]);
    assert.equal(table.match('x', '/api/v1/users')?.name, 'v1');
    assert.equal(table.match('x', '/api/v2')?.name, 'api');
    assert.equal(table.match('x', '/api')?.name, 'exact');
    assert.equal(table.match('x', '/other')?.name, 'root');
  });

  it('When two Ingresses claim the same path, then the older one wins', () => {
    const table = new RouteTable([
      route('young', '/a', 'Prefix', { createdAt: 2000 }),
      route('old', '/a', 'Prefix', { createdAt: 1000 }),
    ]);
    assert.equal(table.match(undefined, '/a')?.name, 'old');
  });

  it('When hosts are exact, wildcard or absent, then the exact host is tried first, then the wildcard (one label), then any host', () => {
    const table = new RouteTable([
      route('exact', '/', 'Prefix', { host: 'api.example.com' }),
      route('wild', '/', 'Prefix', { host: '*.example.com' }),
      route('any', '/', 'Prefix'),
    ]);
    assert.equal(table.match('API.example.com:8080', '/')?.name, 'exact');
    assert.equal(table.match('shop.example.com', '/')?.name, 'wild');
    assert.equal(table.match('a.shop.example.com', '/')?.name, 'any');
    assert.equal(table.match('example.com', '/')?.name, 'any');
    assert.equal(table.match(undefined, '/')?.name, 'any');
  });

  it("When a host's own rules do not match the path, then rules without host still can", () => {
    const table = new RouteTable([
      route('exact', '/only', 'Exact', { host: 'api.example.com' }),
      route('any', '/', 'Prefix'),
    ]);
    assert.equal(table.match('api.example.com', '/other')?.name, 'any');
  });

  it('When an Ingress has a default backend, then it takes what no rule of any Ingress matches', () => {
    const table = new RouteTable([
      route('rule', '/api', 'Prefix'),
      route('default', '/', 'Prefix', { fallback: true }),
    ]);
    assert.equal(table.match(undefined, '/api/x')?.name, 'rule');
    assert.equal(table.match(undefined, '/elsewhere')?.name, 'default');
  });

  it('When an Ingress is converted, then backends become Service DNS names and annotations become the policy', () => {
    const ingress: V1Ingress = {
      metadata: {
        name: 'users',
        namespace: 'shop',
        annotations: {
          'shoal.dev/auth': 'required',
          'shoal.dev/rate-limit': '100/m',
          'shoal.dev/timeout': '5s',
          'shoal.dev/body-limit': '2m',
        },
      },
      spec: {
        rules: [
          {
            host: 'api.example.com',
            http: {
              paths: [
                {
                  path: '/api/users',
                  pathType: 'ImplementationSpecific',
                  backend: { service: { name: 'user', port: { number: 8080 } } },
                },
              ],
            },
          },
        ],
      },
    };
    const [converted] = routesFromIngress(ingress, policy, clusterDnsResolver());
    assert.equal(converted?.upstream.href, 'http://user.shop.svc.cluster.local:8080/');
    assert.equal(converted?.pathType, 'Prefix');
    assert.deepEqual(converted?.policy, {
      auth: 'required',
      rateLimit: { points: 100, durationSec: 60, text: '100/m' },
      timeoutMs: 5000,
      bodyLimitBytes: 2 * 1024 * 1024,
      corsOrigins: [],
    });
  });

  it('When an Ingress names a port by name or has a bad annotation, then it is refused with a message saying why', () => {
    const base: V1Ingress = {
      metadata: { name: 'x', namespace: 'd' },
      spec: {
        rules: [
          {
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 's', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    };
    assert.throws(
      () => routesFromIngress(base, policy, clusterDnsResolver()),
      /port must be a number/,
    );
    const annotated = {
      ...base,
      metadata: { ...base.metadata, annotations: { 'shoal.dev/auth': 'maybe' } },
    };
    assert.throws(
      () => routesFromIngress(annotated, policy, clusterDnsResolver()),
      /shoal\.dev\/auth="maybe" is invalid/,
    );
  });
});
