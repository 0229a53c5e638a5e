/**
 * Public API of @threshold/web for the server that hosts it: where the built app
 * is. The app itself is bundled by Vite from src/main.tsx into dist-app/.
 */

/**
 * Folder of the built dashboard (index.html and assets/), as a file: URL. src/ and
 * dist/ are siblings, so the same relative URL works from sources and from the build.
 */
export const DASHBOARD_ASSETS_URL: string = new URL('../dist-app/', import.meta.url).href;

/** The command that builds the dashboard, for messages when it is missing. */
export const DASHBOARD_BUILD_COMMAND = 'npm run build';
