import { useEffect, useState } from 'preact/hooks';

/** Where the page is: hash routes, so the api serves one index.html and needs no fallback for client paths. */
export type Route =
  | { readonly view: 'home' }
  | { readonly view: 'library'; readonly space: string; readonly environment: string }
  | { readonly view: 'asset'; readonly space: string; readonly environment: string; readonly asset: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [spaces, space, environments, environment, assets, asset] = parts;
  if (spaces === 'spaces' && space !== undefined && environments === 'environments' && environment !== undefined) {
    if (assets === 'assets' && asset !== undefined) return { view: 'asset', space, environment, asset };
    return { view: 'library', space, environment };
  }
  return { view: 'home' };
}

export function hrefOf(route: Route): string {
  const e = encodeURIComponent;
  switch (route.view) {
    case 'home':
      return '#/';
    case 'library':
      return `#/spaces/${e(route.space)}/environments/${e(route.environment)}`;
    case 'asset':
      return `#/spaces/${e(route.space)}/environments/${e(route.environment)}/assets/${e(route.asset)}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
