/**
 * The one Content-Security-Policy of the UI: own scripts and styles only, no plugins, no framing, the API
 * over our own origin (plus the browser host's WebSocket origin). The Electron shell sends it as a header,
 * the browser host as a header, and renderer/index.html carries the same policy in a <meta> (file:// pages
 * get no headers; a <meta> cannot carry frame-ancestors) — a test keeps the three in step.
 */
export function contentSecurityPolicy(extraConnectSrc = ''): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${extraConnectSrc ? ` ${extraConnectSrc}` : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
