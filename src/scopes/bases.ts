// Where the resident portal's pages start: residents at /portal, the read-only preview of a
// property at /portal/vorschau (the same routers, mounted twice in src/app.ts).
export const PORTAL_BASE = '/portal';
export const PREVIEW_BASE = '/portal/vorschau';
