/**
 * The one Content-Security-Policy of the UI: own scripts and styles only, no plugins, no framing, the API
 * over our own origin (plus the browser host's WebSocket origin). The Electron shell sends it as a header,
 * the browser host as a header, and the UI build writes it into the page's <meta> (vite.config.ts), since
 * file:// pages get no headers.
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

/** The policy as the page's <meta> carries it: all of it but frame-ancestors, which a <meta> cannot set. */
export function pageContentSecurityPolicy(): string {
  return contentSecurityPolicy()
    .split('; ')
    .filter((d) => !d.startsWith('frame-ancestors'))
    .join('; ');
}
