import type { RequestHandler } from 'express';
import { trace } from '@opentelemetry/api';
import { UNMATCHED_ROUTE, routeTemplate } from './route-template.ts';

/** The OpenTelemetry semantic-convention attribute for the matched route template. */
const ATTR_HTTP_ROUTE = 'http.route';

/**
 * Names the http server span after the matched route (`GET /api/users/:id`, attribute
 * `http.route`) once the response is finished, as OpenTelemetry's express instrumentation
 * would, without wrapping every router layer. Costs nothing when tracing is off or the
 * request is not traced (no recording span).
 */
export function spanRouteMiddleware(): RequestHandler {
  return (req, res, next) => {
    const span = trace.getActiveSpan();
    if (span?.isRecording()) {
      // 'finish' comes before the 'close' on which the http instrumentation ends the span.
      res.once('finish', () => {
        const route = routeTemplate(req);
        if (route === UNMATCHED_ROUTE) return;
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${req.method} ${route}`);
      });
    }
    next();
  };
}
